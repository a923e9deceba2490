using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RunCommandHunt.Module.Tests.Module
{
    /// <summary>What an analyst sees: the default table and the Format-List view of each output type.</summary>
    public sealed class FormattingTests : IDisposable
    {
        private const string Operations = "Get-RunCommandOperation -Path $d";
        private const string Executions = Operations + " | Get-RunCommandScriptExecution -Path $d";
        private const string Unique = Executions + " | Find-UniqueRunCommandScript";

        private readonly ModuleHost _host = new ModuleHost();
        private readonly TempDir _dir = new TempDir();

        public FormattingTests() => Evidence.WriteTwoVmCase(_dir);

        public void Dispose() { _host.Dispose(); _dir.Dispose(); }

        private List<string> Lines(string script, int width = 200)
        {
            var r = _host.Run($"{script} | Out-String -Stream -Width {width}", new Dictionary<string, object?> { ["d"] = _dir.Path });
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            return r.Output.Select(o => o.ToString().TrimEnd()).Where(l => l.Length > 0).ToList();
        }

        /// <summary>A table line whose cells are these values in this order, separated by padding only.</summary>
        private static string Row(params string[] cells) =>
            "^" + string.Join(" +", cells.Select(System.Text.RegularExpressions.Regex.Escape)) + "$";

        [Fact]
        public void DefaultTable_WhenOperationsShown_ShouldListTimeMachineCallerIpStatusAndCorrelation()
        {
            var lines = Lines(Operations);
            Assert.Matches(Row("StartTime (UTC)", "VirtualMachineName", "ResourceGroup", "Caller", "CallerIpAddress", "Status", "CorrelationId"), lines[0]);
            Assert.Matches(Row("2024-05-01 11:00:00", "VM02", "rg1", "mallory@contoso.com", "203.0.113.9", "Succeeded", "c2"), lines[3]);
        }

        [Fact]
        public void DefaultTable_WhenExecutionsShown_ShouldShowFingerprintPrefixAndTheCommands()
        {
            var lines = Lines(Executions);
            Assert.Matches(Row("StartTime (UTC)", "VirtualMachineName", "Caller", "CallerIpAddress", "PowershellFileName", "Fingerprint", "Commands"), lines[0]);
            Assert.Matches(Row("2024-05-01 10:00:00", "VM01", "alice@contoso.com", "10.0.0.5", "script1.ps1", "05c3ab7a05dc", "Get-Process, Write-Output"), lines[2]);
        }

        [Fact]
        public void DefaultTable_WhenUniqueScriptsShown_ShouldShowHashCountAndPrevalence()
        {
            var lines = Lines(Unique);
            Assert.Matches(Row("StartTime (UTC)", "VirtualMachineName", "Caller", "CallerIpAddress", "Fingerprint", "HashCount", "Prevalence", "Commands"), lines[0]);
            Assert.Matches(Row("2024-05-01 11:00:00", "VM02", "mallory@contoso.com", "203.0.113.9", "98812de2c0e9", "1", "50%", "Invoke-WebRequest, Add-MpPreference"), lines[3]);
        }

        [Fact]
        public void DefaultTable_WhenConsoleIs120Wide_ShouldKeepEveryColumnButTheLastWhole()
        {
            foreach (var script in new[] { Operations, Executions, Unique })
            {
                var lines = Lines(script, width: 120);
                Assert.All(lines, l => Assert.True(l.Length <= 120, l));
                // One header line (no label wrapped), the dashes, then the rows.
                Assert.StartsWith("StartTime (UTC)", lines[0]);
                Assert.StartsWith("---------------", lines[1]);
                Assert.StartsWith("2024-05-01 10:00:00", lines[2]);
            }
            var rows = Lines(Executions, width: 120);
            Assert.Matches(Row("2024-05-01 11:00:00", "VM02", "mallory@contoso.com", "203.0.113.9", "script1.ps1", "98812de2c0e9").TrimEnd('$') + " +Invoke", rows[3]);
        }

        [Fact]
        public void FormatList_WhenExecutionShown_ShouldGiveTheFullRecordWithTimesToTheTick()
        {
            var lines = Lines(Executions + " | Select-Object -First 1 | Format-List");
            var fields = lines.Where(l => l.Contains(" : ")).ToDictionary(l => l.Substring(0, l.IndexOf(" : ")).Trim(), l => l.Substring(l.IndexOf(" : ") + 3));
            Assert.Equal("2024-05-01T10:00:10.0000000Z", fields["PowershellFileCreatedTimestamp"]);
            Assert.Equal("2024-05-01T10:00:20.0000000Z", fields["PowershellExecStart"]);
            Assert.Equal("vm01.contoso.local", fields["DeviceName"]);
            Assert.Equal("05c3ab7a05dc1a8dab7dce6d8d655de3a9ebf54a313d9c839720d3f7ea31c369", fields["ScriptFingerprintHash"]);
            Assert.Equal(@"nt authority\system", fields["InitiatingProcessAccount"]);
            // One command a line, as a script reads.
            int at = lines.FindIndex(l => l.StartsWith("PowershellScriptCommands"));
            Assert.EndsWith(": Get-Process", lines[at]);
            Assert.Equal("Write-Output", lines[at + 1].Trim());
        }

        [Fact]
        public void FormatList_WhenOperationShown_ShouldShowEveryStatusEventAndTheScope()
        {
            var lines = Lines(Operations + " | Select-Object -Last 1 | Format-List");
            Assert.Contains(lines, l => l.StartsWith("ActivityStatusValues") && l.EndsWith(": Start, Accept, Success"));
            Assert.Contains(lines, l => l.StartsWith("Scope") && l.EndsWith(": /subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/VM02"));
            Assert.Contains(lines, l => l.StartsWith("EndTime") && l.EndsWith(": 2024-05-01T11:01:00.0000000Z"));
        }

        [Fact]
        public void FormatListStar_WhenAsked_ShouldStillShowEveryProperty()
        {
            var lines = Lines(Unique + " | Select-Object -First 1 | Format-List *");
            foreach (var p in new[] { "timestamp", "CallerName", "CallerUPNSuffix", "Prevalence", "HashCount", "PowershellScriptCommandsJson", "InitiatingProcessCommandLine" })
                Assert.Contains(lines, l => l.StartsWith(p + " ") || l.StartsWith(p + ":"));
        }

        [Fact]
        public void DefaultTable_WhenSessionCultureUsesCommas_ShouldStillWriteInvariantTimesAndPrevalence()
        {
            var r = _host.Run(@"
$a = [pscustomobject]@{ StartTime = [datetime]'2024-05-01T10:00:00Z'; PowershellScriptCommands = @('Get-Process'); VirtualMachineName = 'A' }
$b = [pscustomobject]@{ StartTime = [datetime]'2024-05-01T11:00:00Z'; PowershellScriptCommands = @('Stop-Service'); VirtualMachineName = 'B' }
$c = [pscustomobject]@{ StartTime = [datetime]'2024-05-01T12:00:00Z'; PowershellScriptCommands = @('Get-Service'); VirtualMachineName = 'C' }
$u = @($a, $b, $c | Find-UniqueRunCommandScript)
$saved = [cultureinfo]::CurrentCulture
try { [cultureinfo]::CurrentCulture = 'de-DE'; [cultureinfo]::CurrentCulture.NumberFormat.NumberDecimalSeparator; $u | Out-String -Stream -Width 200 }
finally { [cultureinfo]::CurrentCulture = $saved }");
            Assert.Null(r.Terminating);
            var lines = r.Output.Select(o => o.ToString()).ToList();
            Assert.Equal(",", lines[0]); // the culture really changed
            Assert.Contains(lines, l => l.StartsWith("2024-05-01 10:00:00") && l.Contains("33.33%"));
            Assert.DoesNotContain(lines, l => l.Contains("33,33"));
        }
    }
}
