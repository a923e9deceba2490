using System.Text;

namespace RunCommandHunt.Module.Tests
{
    /// <summary>Small hand-written evidence in the Log Analytics CSV format: one Run Command on VM01 running two cmdlets.</summary>
    internal static class Evidence
    {
        public const string ActivityHeader = "TimeGenerated,OperationNameValue,ActivityStatusValue,Authorization,Caller,CallerIpAddress,CorrelationId";
        public const string FileHeader = "TimeGenerated,DeviceName,FileName,FileSize,InitiatingProcessFileName,InitiatingProcessAccountName,InitiatingProcessAccountDomain,InitiatingProcessFolderPath,InitiatingProcessId";
        public const string EventHeader = "TimeGenerated,DeviceName,ActionType,InitiatingProcessCommandLine,AdditionalFields";

        public static string Auth(string vm) =>
            "\"{\"\"action\"\":\"\"Microsoft.Compute/virtualMachines/runCommand/action\"\",\"\"scope\"\":\"\"/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/" + vm + "\"\"}\"";

        public static string Activity(string time, string status, string vm, string caller, string ip, string correlation, string op = "Microsoft.Compute/virtualMachines/runCommand/action") =>
            $"{time},{op},{status},{Auth(vm)},{caller},{ip},{correlation}";

        public static string FileEvent(string time, string device, string file, long size) =>
            $"{time},{device},{file},{size},RunCommandExtension.exe,system,nt authority,C:\\Packages\\Plugins\\Microsoft.CPlat.Core.RunCommandWindows\\1.1.22\\RunCommandExtension.exe,4242";

        public static string PsEvent(string time, string device, string script, string command) =>
            $"{time},{device},PowerShellCommand,powershell -ExecutionPolicy Unrestricted -File {script},\"{{\"\"Command\"\":\"\"{command}\"\"}}\"";

        public static string Lines(params string[] lines)
        {
            var sb = new StringBuilder();
            foreach (var l in lines) sb.Append(l).Append('\n');
            return sb.ToString();
        }

        /// <summary>Two operations: VM01 runs a common script, VM02 (FQDN, lower-case in MDE) a unique one.</summary>
        public static void WriteTwoVmCase(TempDir dir)
        {
            dir.Write("AzureActivity.csv", Lines(ActivityHeader,
                Activity("2024-05-01T10:00:00.0000000Z", "Started", "VM01", "alice@contoso.com", "10.0.0.5", "c1"),
                Activity("2024-05-01T10:00:01.0000000Z", "Accepted", "VM01", "alice@contoso.com", "10.0.0.5", "c1"),
                Activity("2024-05-01T10:01:00.0000000Z", "Succeeded", "VM01", "alice@contoso.com", "", "c1"),
                Activity("2024-05-01T11:00:00.0000000Z", "Start", "VM02", "mallory@contoso.com", "203.0.113.9", "c2"),
                Activity("2024-05-01T11:00:01.0000000Z", "Accept", "VM02", "mallory@contoso.com", "203.0.113.9", "c2"),
                Activity("2024-05-01T11:01:00.0000000Z", "Success", "VM02", "mallory@contoso.com", "", "c2"),
                Activity("2024-05-01T12:00:00.0000000Z", "Started", "VM03", "bob@contoso.com", "10.0.0.7", "c3"),
                Activity("2024-05-01T12:00:30.0000000Z", "Failed", "VM03", "bob@contoso.com", "", "c3"),
                "2024-05-01T09:00:00.0000000Z,Microsoft.Compute/virtualMachines/write,Succeeded,{},alice@contoso.com,10.0.0.5,c0"));
            dir.Write("DeviceFileEvents.csv", Lines(FileHeader,
                FileEvent("2024-05-01T10:00:10.0000000Z", "vm01.contoso.local", "script1.ps1", 120),
                FileEvent("2024-05-01T11:00:10.0000000Z", "vm02.contoso.local", "script1.ps1", 480)));
            dir.Write("DeviceEvents.csv", Lines(EventHeader,
                PsEvent("2024-05-01T10:00:20.0000000Z", "vm01.contoso.local", "script1.ps1", "script1.ps1"),
                PsEvent("2024-05-01T10:00:21.0000000Z", "vm01.contoso.local", "script1.ps1", "Get-Process"),
                PsEvent("2024-05-01T10:00:22.0000000Z", "vm01.contoso.local", "script1.ps1", "Write-Output"),
                PsEvent("2024-05-01T11:00:20.0000000Z", "vm02.contoso.local", "script1.ps1", "script1.ps1"),
                PsEvent("2024-05-01T11:00:21.0000000Z", "vm02.contoso.local", "script1.ps1", "Invoke-WebRequest"),
                PsEvent("2024-05-01T11:00:22.0000000Z", "vm02.contoso.local", "script1.ps1", "Add-MpPreference")));
        }
    }
}
