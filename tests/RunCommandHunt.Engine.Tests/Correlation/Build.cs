using System;
using RunCommandHunt.Engine.Model;

namespace RunCommandHunt.Engine.Tests.Correlation
{
    /// <summary>Terse record builders for correlation tests.</summary>
    internal static class Build
    {
        public static readonly DateTime T0 = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);

        public static DateTime At(double seconds) => T0.AddTicks((long)(seconds * TimeSpan.TicksPerSecond));

        public static string Scope(string vm, string sub = "sub1", string rg = "rg1") =>
            $"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{vm}";

        public static AzureActivityRecord Activity(double t, string status, string vm, string correlationId,
            string caller = "alice@contoso.com", string ip = "10.0.0.5",
            string op = "Microsoft.Compute/virtualMachines/runCommand/action", string? authorization = null) =>
            new AzureActivityRecord
            {
                TimeGenerated = At(t),
                OperationNameValue = op,
                ActivityStatusValue = status,
                Authorization = authorization ?? "{\"action\":\"" + op + "\",\"scope\":\"" + Scope(vm) + "\"}",
                Caller = caller,
                CallerIpAddress = ip,
                CorrelationId = correlationId,
            };

        public static DeviceFileEventRecord File(double t, string device, string file, long? size = 100, string process = "RunCommandExtension.exe") =>
            new DeviceFileEventRecord
            {
                TimeGenerated = At(t),
                DeviceName = device,
                FileName = file,
                FileSize = size,
                InitiatingProcessFileName = process,
                InitiatingProcessAccountName = "system",
                InitiatingProcessAccountDomain = "nt authority",
                InitiatingProcessId = 4242,
            };

        public static DeviceEventRecord Ps(double t, string device, string script, string command,
            string? commandLine = null, string actionType = "PowerShellCommand") =>
            new DeviceEventRecord
            {
                TimeGenerated = At(t),
                DeviceName = device,
                ActionType = actionType,
                InitiatingProcessCommandLine = commandLine ?? "powershell -ExecutionPolicy Unrestricted -File " + script,
                AdditionalFields = "{\"Command\":\"" + command + "\"}",
                Command = command,
            };
    }
}
