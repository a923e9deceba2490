using System;
using System.Collections.Generic;
using System.Linq;
using RunCommandHunt.Engine.Fingerprinting;

namespace RunCommandHunt.Engine.Tests.Reporting
{
    /// <summary>Operations, script runs and findings as the engine produces them (findings come from the real finder).
    /// Shared with RunCommandHunt.Report.Tests by file link.</summary>
    internal static class ReportSamples
    {
        public static readonly DateTime T0 = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);
        public const string Subscription = "11111111-2222-3333-4444-555555555555";

        public static string ScopeOf(string vm, string rg = "rg-prod") =>
            $"/subscriptions/{Subscription}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{vm}";

        public static RunCommandOperation Op(string vm, string caller, string ip, string status, double minutes, string? correlationId = null)
        {
            var start = T0.AddMinutes(minutes);
            return new RunCommandOperation
            {
                StartTime = start,
                EndTime = start.AddSeconds(40),
                Subscription = Subscription,
                ResourceGroup = "rg-prod",
                VirtualMachineName = vm,
                CorrelationId = correlationId ?? Guid.NewGuid().ToString(),
                Caller = caller,
                CallerIpAddress = ip,
                Scope = ScopeOf(vm),
                Status = status,
                ActivityStatusValues = status == "Succeeded" ? new[] { "Started", "Accepted", "Succeeded" } : new[] { "Started", status },
                OperationNameValue = "Microsoft.Compute/virtualMachines/runCommand/action",
                OperationKind = "VirtualMachine",
                Authorization = "{\"scope\":\"" + ScopeOf(vm) + "\"}",
            };
        }

        public static RunCommandScriptExecution Exec(RunCommandOperation op, string file, long? size, params string[] commands) =>
            new RunCommandScriptExecution
            {
                StartTime = op.StartTime,
                EndTime = op.EndTime,
                PowershellFileCreatedTimestamp = op.StartTime.AddSeconds(5),
                PowershellExecStart = op.StartTime.AddSeconds(6),
                PowershellExecEnd = op.StartTime.AddSeconds(9),
                PowershellFileName = file,
                PowershellScriptCommands = commands,
                Caller = op.Caller,
                CallerIpAddress = op.CallerIpAddress,
                InitiatingProcessCommandLine = "powershell.exe -ExecutionPolicy Unrestricted -File " + file,
                PowershellFileSize = size,
                VirtualMachineName = op.VirtualMachineName,
                Scope = op.Scope,
                CorrelationId = op.CorrelationId,
                Subscription = op.Subscription,
                DeviceName = op.VirtualMachineName + ".contoso.local",
                ScriptFingerprintHash = ScriptFingerprint.Compute(commands, size, FingerprintKind.Commands, normalize: true),
            };

        public static UniqueRunCommandScript[] Findings(IReadOnlyList<RunCommandScriptExecution> executions) =>
            UniqueScriptFinder.Find(executions, CompatibilityMode.None).ToArray();

        /// <summary>A day on two machines: a routine script run three times, two rare ones, one failed and one rejected attempt.</summary>
        public static (List<RunCommandOperation> Operations, List<RunCommandScriptExecution> Executions) Day()
        {
            var ops = new List<RunCommandOperation>();
            var execs = new List<RunCommandScriptExecution>();
            var routine = new[] { "Get-Service", "Write-Output" };
            for (int i = 0; i < 3; i++)
            {
                var op = Op(i == 2 ? "vm-web01" : "vm-db01", "ops@contoso.com", "10.1.0." + (i + 4), "Succeeded", i * 60);
                ops.Add(op);
                execs.Add(Exec(op, "script" + i + ".ps1", 120, routine));
            }
            var rare1 = Op("vm-db01", "mallory@contoso.com", "203.0.113.7", "Succeeded", 200);
            ops.Add(rare1);
            execs.Add(Exec(rare1, "script7.ps1", 2048, "Invoke-WebRequest", "Add-MpPreference", "Start-Process"));
            var rare2 = Op("vm-web01", "9f8e7d6c-5b4a-4321-8fed-cba987654321", "198.51.100.9", "Succeeded", 260);
            ops.Add(rare2);
            execs.Add(Exec(rare2, "script8.ps1", 512, "Get-LocalUser", "New-LocalUser"));
            ops.Add(Op("vm-db01", "mallory@contoso.com", "203.0.113.7", "Failed", 190));
            ops.Add(Op("vm-web01", "eve@fabrikam.com", "192.0.2.66", "Rejected", 195));
            return (ops, execs);
        }
    }
}
