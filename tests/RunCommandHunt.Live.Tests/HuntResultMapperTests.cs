using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RunCommandHunt.Engine.Fingerprinting;
using RunCommandHunt.Engine.Readers;
using RunCommandHunt.Engine.Sources;
using Xunit;

namespace RunCommandHunt.Live.Tests
{
    /// <summary>The server-side mode returns the same objects as the client-side path on the same rows.</summary>
    public class HuntResultMapperTests
    {
        private static readonly QueryWindow Window = new QueryWindow(new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 5, 2, 0, 0, 0, DateTimeKind.Utc));

        private static RunCommandScriptExecution Execution(int i, params string[] commands) => new RunCommandScriptExecution
        {
            StartTime = Window.Start.AddHours(i).AddTicks(1234567),
            EndTime = Window.Start.AddHours(i).AddMinutes(1),
            PowershellFileCreatedTimestamp = Window.Start.AddHours(i).AddSeconds(10).AddTicks(7),
            PowershellExecStart = Window.Start.AddHours(i).AddSeconds(20),
            PowershellExecEnd = Window.Start.AddHours(i).AddSeconds(30),
            PowershellFileName = "script" + i + ".ps1",
            PowershellScriptCommands = commands,
            Caller = "user" + i + "@contoso.com",
            CallerIpAddress = "10.0.0." + i,
            InitiatingProcessCommandLine = "powershell -ExecutionPolicy Unrestricted -File script" + i + ".ps1",
            PowershellFileSize = 100 + i,
            VirtualMachineName = "VM" + i,
            Scope = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/VM" + i,
            CorrelationId = "c" + i,
        };

        /// <summary>What Log Analytics would send for these rows: every cell as wire text, dynamic as JSON text.</summary>
        private static LiveQueryResult AsWire(IReadOnlyList<UniqueRunCommandScript> rows)
        {
            var names = new[] { "timestamp", "StartTime", "EndTime", "PowershellFileName", "VirtualMachineName", "Caller", "CallerName", "CallerUPNSuffix",
                "CallerIpAddress", "PowershellScriptCommands", "PowershellFileSize", "ScriptFingerprintHash", "Prevalence", "Scope" };
            var columns = names.Select(n => new LiveColumn(n, "string")).ToList();
            var cells = rows.Select(u => new string?[]
            {
                EvidenceValues.FormatDateTime(u.timestamp), EvidenceValues.FormatDateTime(u.StartTime), EvidenceValues.FormatDateTime(u.EndTime),
                u.PowershellFileName, u.VirtualMachineName, u.Caller, u.CallerName, u.CallerUPNSuffix, u.CallerIpAddress,
                ScriptFingerprint.ToKustoJson(u.PowershellScriptCommands), u.PowershellFileSize?.ToString(CultureInfo.InvariantCulture),
                u.ScriptFingerprintHash, u.Prevalence.ToString("R", CultureInfo.InvariantCulture), u.Scope,
            }).ToList();
            return new LiveQueryResult(Window, "rule", "PrimaryResult", columns, cells, null, null, 0);
        }

        [Fact]
        public void ToUniqueScripts_WhenRuleRowsComeBack_ShouldEqualTheClientSideFindings()
        {
            var executions = new[] { Execution(1, "GET-PROCESS"), Execution(2, "GET-PROCESS"), Execution(3, "ADD-MPPREFERENCE", "NEW-LOCALUSER \"x\"") };
            var local = UniqueScriptFinder.Find(executions, CompatibilityMode.AnalyticRule).ToList();
            Assert.Single(local);
            var remote = HuntResultMapper.ToUniqueScripts(AsWire(local), CompatibilityMode.AnalyticRule).ToList();
            var projected = new[] { "timestamp", "StartTime", "EndTime", "PowershellFileName", "VirtualMachineName", "Caller", "CallerName",
                "CallerUPNSuffix", "CallerIpAddress", "PowershellFileSize", "ScriptFingerprintHash", "Prevalence", "Scope" };
            foreach (var name in projected)
            {
                var p = typeof(UniqueRunCommandScript).GetProperty(name)!;
                Assert.Equal(p.GetValue(local[0]), p.GetValue(remote[0]));
            }
            Assert.Equal(local[0].PowershellScriptCommands, remote[0].PowershellScriptCommands);
        }

        [Fact]
        public void ToUniqueScripts_WhenACellIsNotADate_ShouldFailNamingTheColumn()
        {
            var wire = AsWire(UniqueScriptFinder.Find(new[] { Execution(1, "A") }, CompatibilityMode.AnalyticRule).ToList());
            wire.Rows[0][1] = "yesterday";
            var ex = Assert.Throws<LiveQueryException>(() => HuntResultMapper.ToUniqueScripts(wire, CompatibilityMode.AnalyticRule).ToList());
            Assert.Contains("StartTime", ex.Message);
            Assert.Contains("yesterday", ex.Message);
        }
    }
}
