using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace RunCommandHunt.Module.Tests.Module
{
    /// <summary>Tab completion as TabExpansion2 (what the console and editors call) gives it.</summary>
    public sealed class CompletionTests : IDisposable
    {
        private readonly ModuleHost _host = new ModuleHost();

        public CompletionTests()
        {
            // A stand-in for the coming -StartTime/-Property parameters, declared as the report asks the cmdlets to.
            var r = _host.Run(@"function Test-Completion {
    param(
        [RunCommandHunt.Completion.TimePresetTransformation()]
        [ArgumentCompleter([RunCommandHunt.Completion.TimePresetCompleter])]
        [datetime] $StartTime,
        [ArgumentCompleter([RunCommandHunt.Completion.ScriptExecutionColumnCompleter])]
        [string[]] $Property)
    $StartTime
}");
            Assert.Null(r.Terminating);
        }

        public void Dispose() => _host.Dispose();

        private List<string> Complete(string input)
        {
            var r = _host.Run("@((TabExpansion2 -inputScript $i -cursorColumn $i.Length).CompletionMatches | ForEach-Object CompletionText)",
                new Dictionary<string, object?> { ["i"] = input });
            Assert.Null(r.Terminating);
            return r.Output.Select(o => o.ToString()).ToList();
        }

        [Fact]
        public void Compatibility_WhenTabCompletedOnEveryCmdletThatHasIt_ShouldOfferTheThreeBehaviours()
        {
            var r = _host.Run("@(Get-Command -Module RunCommandHunt | Where-Object { $_.Parameters.ContainsKey('Compatibility') } | ForEach-Object Name)");
            var cmdlets = r.Output.Select(o => o.ToString()).ToList();
            Assert.NotEmpty(cmdlets);
            foreach (var c in cmdlets)
                Assert.Equal(new[] { "AnalyticRule", "HuntingQuery", "None" }, Complete($"{c} -Compatibility ").OrderBy(x => x));
            Assert.Equal(new[] { "HuntingQuery" }, Complete("Get-RunCommandOperation -Compatibility Hu"));
        }

        [Fact]
        public void Fingerprint_WhenTabCompleted_ShouldOfferBothKinds()
        {
            Assert.Equal(new[] { "Commands", "CommandsAndSize" }, Complete("Find-UniqueRunCommandScript -Fingerprint ").OrderBy(x => x));
        }

        [Fact]
        public void TimePresetCompleter_WhenTabCompleted_ShouldOfferQuotedLookBacksShortestFirst()
        {
            var all = Complete("Test-Completion -StartTime ");
            Assert.Equal("'-1h'", all.First());
            Assert.Contains("'-1d'", all);
            Assert.Contains("'-7d'", all);
            Assert.Equal(new[] { "'-7d'" }, Complete("Test-Completion -StartTime -7"));
            Assert.Equal(new[] { "'-30d'" }, Complete("Test-Completion -StartTime '-3"));
        }

        [Fact]
        public void TimePresets_WhenResolved_ShouldCountBackFromNowInUtc()
        {
            var r = _host.Run(@"$now = [datetime]::SpecifyKind([datetime]'2024-05-08T12:00:00', 'Utc')
foreach ($t in '-7d', '7d', '-12h', '-90m', '-2w', 'P1DT6H', '-1.5d') { $x = [datetime]::MinValue; if ([RunCommandHunt.Completion.TimePresets]::TryResolve($t, $now, [ref]$x)) { $x.ToString('o') } else { ""$t invalid"" } }
foreach ($t in '-7x', 'seven days', '', '-0d', '2024-05-01') { $x = [datetime]::MinValue; [RunCommandHunt.Completion.TimePresets]::TryResolve($t, $now, [ref]$x) }");
            Assert.Null(r.Terminating);
            Assert.Equal(new object[]
            {
                "2024-05-01T12:00:00.0000000Z", "2024-05-01T12:00:00.0000000Z", "2024-05-08T00:00:00.0000000Z",
                "2024-05-08T10:30:00.0000000Z", "2024-04-24T12:00:00.0000000Z", "2024-05-07T06:00:00.0000000Z",
                "2024-05-07T00:00:00.0000000Z",
                false, false, false, false, false,
            }, r.Output.Select(o => o.BaseObject).ToArray());
        }

        [Fact]
        public void TimePresetTransformation_WhenBound_ShouldGiveUtcTimes()
        {
            var r = _host.Run(@"
$before = [datetime]::UtcNow
$quoted = Test-Completion -StartTime '-7d'
$bare = Test-Completion -StartTime -7d
$after = [datetime]::UtcNow
$date = Test-Completion -StartTime 2024-05-01
$offset = Test-Completion -StartTime '2024-05-01T10:00:00+02:00'
[pscustomobject]@{
    Quoted = $quoted.Kind -eq 'Utc' -and $quoted -ge $before.AddDays(-7) -and $quoted -le $after.AddDays(-7)
    Bare   = $bare.Kind -eq 'Utc' -and $bare -ge $before.AddDays(-7) -and $bare -le $after.AddDays(-7)
    Date   = $date.ToString('o')
    Offset = $offset.ToString('o')
}");
            Assert.Null(r.Terminating);
            var o = r.Output.Single();
            Assert.True((bool)o.Properties["Quoted"].Value, "'-7d' is not seven days before now, in UTC");
            Assert.True((bool)o.Properties["Bare"].Value, "-7d (PowerShell's decimal -7) is not seven days before now, in UTC");
            // A date without an offset is UTC, not the analyst's time zone.
            Assert.Equal("2024-05-01T00:00:00.0000000Z", o.Properties["Date"].Value);
            Assert.Equal("2024-05-01T08:00:00.0000000Z", o.Properties["Offset"].Value);
        }

        [Fact]
        public void TimePresetTransformation_WhenGivenNonsense_ShouldFailToBindNamingTheValue()
        {
            var r = _host.Run("Test-Completion -StartTime 'last tuesday'");
            Assert.Empty(r.Output);
            var e = Assert.Single(r.Errors);
            Assert.Contains("last tuesday", e.ToString());
            Assert.IsAssignableFrom<ParameterBindingException>(e.Exception);
        }

        [Fact]
        public void ColumnNameCompleter_WhenTabCompleted_ShouldOfferTheOutputTypesColumns()
        {
            var all = Complete("Test-Completion -Property ");
            foreach (var c in new[] { "StartTime", "VirtualMachineName", "ScriptFingerprintHash", "PowershellScriptCommandsJson", "CommandCount" })
                Assert.Contains(c, all);
            Assert.Equal(new[] { "PowershellExecStart", "PowershellExecStartTime", "PowershellExecEnd" }, Complete("Test-Completion -Property PowershellExec"));
            Assert.Equal(new[] { "ScriptFingerprintHash" }, Complete("Test-Completion -Property scriptf"));
        }

        [Fact]
        public void ColumnNameCompleters_WhenCreated_ShouldMatchTheirOutputTypesProperties()
        {
            var r = _host.Run(@"
foreach ($pair in @(
    @([RunCommandHunt.Completion.OperationColumnCompleter], [RunCommandHunt.RunCommandOperation]),
    @([RunCommandHunt.Completion.ScriptExecutionColumnCompleter], [RunCommandHunt.RunCommandScriptExecution]),
    @([RunCommandHunt.Completion.UniqueScriptColumnCompleter], [RunCommandHunt.UniqueRunCommandScript]))) {
    $columns = $pair[0]::new().Columns
    $properties = @($pair[1].GetProperties().Name) + @((Get-TypeData $pair[1].FullName).Members.Keys)
    [pscustomobject]@{ Type = $pair[1].Name; Missing = @($properties | Where-Object { $columns -notcontains $_ }) -join ','; Extra = @($columns | Where-Object { $properties -notcontains $_ }) -join ',' }
}");
            Assert.Null(r.Terminating);
            Assert.Equal(3, r.Output.Count);
            foreach (var o in r.Output)
            {
                Assert.Equal("", o.Properties["Missing"].Value);
                Assert.Equal("", o.Properties["Extra"].Value);
            }
        }
    }
}
