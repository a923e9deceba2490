using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace RunCommandHunt.Module.Tests.Module
{
    /// <summary>The output objects in the rest of PowerShell: CSV and JSON, sorting, grouping, filtering.</summary>
    public sealed class ObjectConversionTests : IDisposable
    {
        private const string Executions = "Get-RunCommandOperation -Path $d | Get-RunCommandScriptExecution -Path $d";

        private readonly ModuleHost _host = new ModuleHost();
        private readonly TempDir _dir = new TempDir();
        // Outside the evidence folder: -Path reads every file of a folder, and Export-Csv creates its file at once.
        private readonly TempDir _out = new TempDir();

        public ObjectConversionTests() => Evidence.WriteTwoVmCase(_dir);

        private string Csv => Path.Combine(_out.Path, "out.csv");

        public void Dispose() { _host.Dispose(); _dir.Dispose(); _out.Dispose(); }

        private ModuleHost.Result Run(string script)
        {
            var r = _host.Run(script, new Dictionary<string, object?> { ["d"] = _dir.Path, ["csv"] = Csv });
            Assert.Null(r.Terminating);
            Assert.True(r.Errors.Count == 0, string.Join("\n", r.Errors));
            return r;
        }

        private List<string> Strings(string script) => Run(script).Output.Select(o => o.ToString()).ToList();

        [Fact]
        public void ExportCsv_WhenExecutionsExported_ShouldWriteTheCommandsAsJsonText()
        {
            var rows = Run(Executions + " | Export-Csv $csv -NoTypeInformation; Import-Csv $csv").Output;
            Assert.Equal(2, rows.Count);
            Assert.Equal("[\"Get-Process\",\"Write-Output\"]", rows[0].Properties["PowershellScriptCommandsJson"].Value);
            Assert.Equal("[\"Invoke-WebRequest\",\"Add-MpPreference\"]", rows[1].Properties["PowershellScriptCommandsJson"].Value);
        }

        [Fact]
        public void ExportCsv_WhenOperationsExported_ShouldWriteTheStatusListAsJsonText()
        {
            var rows = Run("Get-RunCommandOperation -Path $d | Export-Csv $csv -NoTypeInformation; Import-Csv $csv").Output;
            Assert.Equal("[\"Start\",\"Accept\",\"Success\"]", rows[1].Properties["ActivityStatusValuesJson"].Value);
        }

        [Fact]
        public void CsvRoundTrip_WhenJsonPutBackAsTheDocsShow_ShouldFindTheSameUniqueScripts()
        {
            var direct = Strings(Executions + " | Find-UniqueRunCommandScript | ForEach-Object ScriptFingerprintHash");
            // The recipe in about_RunCommandHunt.
            var viaCsv = Strings(Executions + @" | Export-Csv $csv -NoTypeInformation
Import-Csv $csv |
    Select-Object * -ExcludeProperty PowershellScriptCommands |
    Select-Object *, @{ Name = 'PowershellScriptCommands'; Expression = { $_.PowershellScriptCommandsJson } } |
    Find-UniqueRunCommandScript | ForEach-Object ScriptFingerprintHash");
            Assert.Equal(2, direct.Count);
            Assert.Equal(direct, viaCsv);
        }

        [Fact]
        public void CsvRoundTrip_WhenTheListColumnIsFedBackAsExported_ShouldReadTheJsonColumn()
        {
            // Export-Csv cannot write a list ("System.String[]"); the PowershellScriptCommandsJson column it also writes
            // carries the list, so the exported rows fingerprint as the originals did.
            var direct = Strings(Executions + " | Find-UniqueRunCommandScript | ForEach-Object ScriptFingerprintHash");
            var r = _host.Run(Executions + " | Export-Csv $csv -NoTypeInformation; Import-Csv $csv | Find-UniqueRunCommandScript | ForEach-Object ScriptFingerprintHash",
                new Dictionary<string, object?> { ["d"] = _dir.Path, ["csv"] = Csv });
            Assert.Empty(r.Errors);
            Assert.NotEmpty(direct);
            Assert.Equal(direct, r.Output.Select(o => o.ToString()).ToList());
        }

        [Fact]
        public void CsvRoundTrip_WhenOnlyTheLostListColumnIsLeft_ShouldSayHowToRecoverIt()
        {
            // Without the JSON column, "System.String[]" must not be hashed silently.
            var r = _host.Run("[pscustomobject]@{ StartTime = '2024-05-01T10:00:00Z'; PowershellScriptCommands = 'System.String[]' } | Find-UniqueRunCommandScript");
            Assert.Empty(r.Output);
            Assert.Contains("PowershellScriptCommandsJson", Assert.Single(r.Errors).ToString());
        }

        [Fact]
        public void ConvertToJson_WhenRoundTripped_ShouldKeepTheCommandListAndTheFingerprints()
        {
            var json = string.Concat(Strings(Executions + " | ConvertTo-Json -Depth 3"));
            Assert.Contains("\"PowershellScriptCommands\": [", json);
            Assert.Contains("\"StartTime\": \"2024-05-01T10:00:00Z\"", json);
            Assert.Contains("\"PowershellScriptCommandsJson\": \"[\\\"Get-Process\\\",\\\"Write-Output\\\"]\"", json);

            var direct = Strings(Executions + " | Find-UniqueRunCommandScript | ForEach-Object ScriptFingerprintHash");
            var viaJson = Strings(Executions + " | ConvertTo-Json -Depth 3 | ConvertFrom-Json | Find-UniqueRunCommandScript | ForEach-Object ScriptFingerprintHash");
            Assert.Equal(direct, viaJson);
        }

        [Fact]
        public void PowershellScriptCommandsJson_WhenHashed_ShouldBeTheHuntingQueryFingerprint()
        {
            // The hunting query hashes tostring(PowershellScriptCommands): the JSON property is that text. The device
            // name's first label is the VM name in the same case, so the seed's case-sensitive join links it.
            using var dir = new TempDir();
            dir.Write("AzureActivity.csv", Evidence.Lines(Evidence.ActivityHeader,
                Evidence.Activity("2024-05-01T10:00:00.0000000Z", "Started", "VM07", "eve@contoso.com", "198.51.100.7", "c7"),
                Evidence.Activity("2024-05-01T10:01:00.0000000Z", "Succeeded", "VM07", "eve@contoso.com", "", "c7")));
            dir.Write("DeviceFileEvents.csv", Evidence.Lines(Evidence.FileHeader,
                Evidence.FileEvent("2024-05-01T10:00:10.0000000Z", "VM07.contoso.local", "script3.ps1", 77)));
            dir.Write("DeviceEvents.csv", Evidence.Lines(Evidence.EventHeader,
                Evidence.PsEvent("2024-05-01T10:00:20.0000000Z", "VM07.contoso.local", "script3.ps1", "script3.ps1"),
                Evidence.PsEvent("2024-05-01T10:00:21.0000000Z", "VM07.contoso.local", "script3.ps1", "Set-MpPreference"),
                Evidence.PsEvent("2024-05-01T10:00:22.0000000Z", "VM07.contoso.local", "script3.ps1", "Get-Service")));
            var r = _host.Run("Get-RunCommandOperation -Path $e -Compatibility HuntingQuery | Get-RunCommandScriptExecution -Path $e -Compatibility HuntingQuery",
                new Dictionary<string, object?> { ["e"] = dir.Path });
            Assert.Null(r.Terminating);
            var x = Assert.Single(r.Output);
            var json = x.Properties["PowershellScriptCommandsJson"].Value.ToString()!;
            Assert.Equal("[\"Set-MpPreference\",\"Get-Service\"]", json); // time order, as logged
            var sha = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json))).ToLowerInvariant();
            Assert.Equal(x.Properties["ScriptFingerprintHash"].Value, sha);
        }

        [Fact]
        public void SortObject_WhenSortedByStartTimeDescending_ShouldPutTheLatestFirst()
        {
            Assert.Equal(new[] { "VM02", "VM01" }, Strings(Executions + " | Sort-Object StartTime -Descending | ForEach-Object VirtualMachineName"));
            Assert.Equal(new[] { "VM02", "VM01" }, Strings(Executions + " | Sort-Object PowershellFileSize -Descending | ForEach-Object VirtualMachineName"));
        }

        [Fact]
        public void GroupObject_WhenGroupedByFingerprintAndCaller_ShouldCountEachGroup()
        {
            var groups = Run(Executions + @" | ForEach-Object { $_; $_ } | Group-Object ScriptFingerprintHash | Sort-Object Name |
                ForEach-Object { '{0}={1}' -f $_.Name.Substring(0, 12), $_.Count }").Output.Select(o => o.ToString());
            Assert.Equal(new[] { "05c3ab7a05dc=2", "98812de2c0e9=2" }, groups);
            Assert.Equal(new[] { "alice@contoso.com", "mallory@contoso.com" },
                Strings("Get-RunCommandOperation -Path $d | Group-Object Caller | Sort-Object Name | ForEach-Object Name"));
        }

        [Fact]
        public void WhereObject_WhenFilteredOnACommand_ShouldKeepOnlyTheScriptsThatRanIt()
        {
            Assert.Equal(new[] { "mallory@contoso.com" },
                Strings(Executions + " | Where-Object { $_.PowershellScriptCommands -contains 'Add-MpPreference' } | ForEach-Object Caller"));
            Assert.Equal(new[] { "VM01" },
                Strings(Executions + " | Where-Object PowershellFileSize -lt 200 | ForEach-Object VirtualMachineName"));
            Assert.Equal(new[] { "c2" },
                Strings("Get-RunCommandOperation -Path $d | Where-Object { $_.ActivityStatusValues -contains 'Success' } | ForEach-Object CorrelationId"));
        }

        [Fact]
        public void SelectObject_WhenComputedFromTheOutputs_ShouldReadLikeASentinelResult()
        {
            var rows = Run(Executions + " | Find-UniqueRunCommandScript | Select-Object timestamp, Caller, CallerName, CallerUPNSuffix, Prevalence | ConvertTo-Csv -NoTypeInformation").Output
                .Select(o => o.ToString()).ToList();
            Assert.Equal("\"timestamp\",\"Caller\",\"CallerName\",\"CallerUPNSuffix\",\"Prevalence\"", rows[0]);
            Assert.EndsWith("\"alice@contoso.com\",\"alice\",\"contoso.com\",\"50\"", rows[1]);
        }
    }
}
