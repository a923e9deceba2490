using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace RunCommandHunt.Module.Tests
{
    public sealed class PipelineTests : IDisposable
    {
        private readonly ModuleHost _host = new ModuleHost();
        private readonly TempDir _dir = new TempDir();

        public PipelineTests() => Evidence.WriteTwoVmCase(_dir);

        public void Dispose() { _host.Dispose(); _dir.Dispose(); }

        private ModuleHost.Result Hunt(string tail = "", string mode = "None") => _host.Run(
            $"Get-RunCommandOperation -Path $d -Compatibility {mode} | Get-RunCommandScriptExecution -Path $d -Compatibility {mode} {tail}",
            new System.Collections.Generic.Dictionary<string, object?> { ["d"] = _dir.Path });

        [Fact]
        public void Import_WhenModuleBuilt_ShouldExportEveryCmdlet()
        {
            var r = _host.Run("(Get-Command -Module RunCommandHunt).Name | Sort-Object");
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { "Export-RunCommandHuntReport", "Find-UniqueRunCommandScript", "Get-RunCommandHuntQuery", "Get-RunCommandOperation",
                "Get-RunCommandScriptExecution", "New-RunCommandHuntAlert" },
                r.Output.Select(o => o.ToString()).ToArray());
        }

        [Fact]
        public void GetOperation_WhenDefault_ShouldGroupByCorrelationAndKeepBothVocabularies()
        {
            var r = _host.Run("Get-RunCommandOperation -Path $d", new System.Collections.Generic.Dictionary<string, object?> { ["d"] = _dir.Path });
            Assert.Null(r.Terminating);
            var ops = r.Output.Select(o => new Obj(o)).ToList();
            Assert.Equal(new[] { "c1", "c2" }, ops.Select(o => o.CorrelationId).ToArray());
            Assert.Equal("VM01", ops[0].VirtualMachineName);
            Assert.Equal("sub1", ops[0].Subscription);
            Assert.Equal("rg1", ops[0].ResourceGroup);
            Assert.Equal("10.0.0.5", ops[0].CallerIpAddress);
            Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc), ops[0].StartTime);
            Assert.Equal(DateTimeKind.Utc, ops[0].StartTime.Kind);
            Assert.Equal(new DateTime(2024, 5, 1, 10, 1, 0, DateTimeKind.Utc), ops[0].EndTime);
            Assert.All(ops, o => Assert.Equal("Succeeded", o.Status));
        }

        [Fact]
        public void GetOperation_WhenIncludeFailed_ShouldReturnTheFailedAttemptWithItsStatus()
        {
            var r = _host.Run("Get-RunCommandOperation -Path $d -IncludeFailed", new System.Collections.Generic.Dictionary<string, object?> { ["d"] = _dir.Path });
            var failed = r.Output.Select(o => new Obj(o)).Single(o => o.CorrelationId == "c3");
            Assert.Equal("Failed", failed.Status);
            Assert.Equal("VM03", failed.VirtualMachineName);
        }

        [Fact]
        public void IncludeFailed_WhenCombinedWithCompatibility_ShouldBeRejected()
        {
            // try/catch sees only terminating errors.
            var r = _host.Run("try { Get-RunCommandOperation -Path $d -IncludeFailed -Compatibility AnalyticRule; 'no error' } catch { $_.FullyQualifiedErrorId }",
                new System.Collections.Generic.Dictionary<string, object?> { ["d"] = _dir.Path });
            Assert.StartsWith("RunCommandOperationIncludeFailedWithCompatibility", Assert.Single(r.Output).ToString());
        }

        [Fact]
        public void Pipeline_WhenDefault_ShouldLinkScriptsOnFqdnLowerCaseDevices()
        {
            var r = Hunt();
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var xs = r.Output.Select(o => new Obj(o)).ToList();
            Assert.Equal(2, xs.Count);
            Assert.Equal("VM01", xs[0].VirtualMachineName);
            Assert.Equal("vm01.contoso.local", xs[0].DeviceName);
            Assert.Equal(new[] { "Get-Process", "Write-Output" }, xs[0].PowershellScriptCommands);
            Assert.Equal(120, xs[0].PowershellFileSize);
            // Sentinel's fingerprint of ["GET-PROCESS","WRITE-OUTPUT"].
            Assert.Equal("05c3ab7a05dc1a8dab7dce6d8d655de3a9ebf54a313d9c839720d3f7ea31c369", xs[0].ScriptFingerprintHash);
            Assert.Equal(new[] { "Invoke-WebRequest", "Add-MpPreference" }, xs[1].PowershellScriptCommands);
            Assert.Equal("mallory@contoso.com", xs[1].Caller);
            Assert.Equal("203.0.113.9", xs[1].CallerIpAddress);
            Assert.Equal(new DateTime(2024, 5, 1, 11, 0, 20, DateTimeKind.Utc), xs[1].PowershellExecStart);
            Assert.Equal(xs[1].PowershellExecStart, xs[1].PowershellExecStartTime);
        }

        [Fact]
        public void Pipeline_WhenSeedModes_ShouldReproduceTheCaseSensitiveHostJoin()
        {
            // The seeds compare "VM01" with split("vm01.contoso.local", ".")[0] case-sensitively: nothing links.
            Assert.Empty(Hunt(mode: "HuntingQuery").Output);
            Assert.Empty(Hunt(mode: "AnalyticRule").Output);
        }

        [Fact]
        public void FindUnique_WhenDefault_ShouldReportEachFingerprintWithPrevalence()
        {
            var r = Hunt("| Find-UniqueRunCommandScript");
            Assert.Null(r.Terminating);
            var us = r.Output.Select(o => new Obj(o)).ToList();
            Assert.Equal(2, us.Count);
            Assert.All(us, u => Assert.Equal(50.0, u.Prevalence));
            var m = us.Single(u => u.VirtualMachineName == "VM02");
            Assert.Equal("mallory", m.CallerName);
            Assert.Equal("contoso.com", m.CallerUPNSuffix);
            Assert.Equal(m.StartTime, m.timestamp);
        }

        [Fact]
        public void FindUnique_WhenMaximumCountWidened_ShouldKeepRepeatedFingerprints()
        {
            var r = _host.Run(@"
$a = [pscustomobject]@{ StartTime = '2024-05-01T10:00:00Z'; PowershellScriptCommands = @('Get-Process'); VirtualMachineName = 'A'; Caller = 'x' }
$b = [pscustomobject]@{ StartTime = '2024-05-01T11:00:00Z'; PowershellScriptCommands = @('get-process'); VirtualMachineName = 'B'; Caller = 'y' }
$c = [pscustomobject]@{ StartTime = '2024-05-01T12:00:00Z'; PowershellScriptCommands = @('Stop-Service'); VirtualMachineName = 'C'; Caller = 'z' }
@{ once = @($a, $b, $c | Find-UniqueRunCommandScript).Count; twice = @($a, $b, $c | Find-UniqueRunCommandScript -MaximumCount 2).Count }");
            Assert.Null(r.Terminating);
            var h = (System.Collections.Hashtable)r.Output.Single().BaseObject;
            // Default fingerprints normalise case: Get-Process and get-process are one script.
            Assert.Equal(1, h["once"]);
            Assert.Equal(3, h["twice"]);
        }

        [Fact]
        public void GetOperation_WhenImportCsvRowsPiped_ShouldMatchThePathResult()
        {
            var r = _host.Run("Import-Csv (Join-Path $d AzureActivity.csv) | Get-RunCommandOperation | ForEach-Object CorrelationId",
                new System.Collections.Generic.Dictionary<string, object?> { ["d"] = _dir.Path });
            Assert.Null(r.Terminating);
            Assert.Equal(new[] { "c1", "c2" }, r.Output.Select(o => o.ToString()).ToArray());
        }

        [Fact]
        public void ScriptExecution_WhenHandMadeOperationsPiped_ShouldLinkThem()
        {
            var r = _host.Run(@"[pscustomobject]@{ StartTime = [datetime]'2024-05-01T10:00:00Z'; EndTime = '2024-05-01T10:01:00Z'; VirtualMachineName = 'vm01'; Caller = 'ir@contoso.com' } |
                Get-RunCommandScriptExecution -Path $d", new System.Collections.Generic.Dictionary<string, object?> { ["d"] = _dir.Path });
            Assert.Null(r.Terminating);
            var x = new Obj(r.Output.Single());
            Assert.Equal("ir@contoso.com", x.Caller);
            Assert.Equal(2, x.CommandCount);
        }

        [Fact]
        public void ScriptExecution_WhenNoOperationsPiped_ShouldReadThemFromPath()
        {
            var r = _host.Run("Get-RunCommandScriptExecution -Path $d", new System.Collections.Generic.Dictionary<string, object?> { ["d"] = _dir.Path });
            Assert.Null(r.Terminating);
            Assert.Equal(2, r.Output.Count);
        }

        [Fact]
        public void Verbose_WhenReading_ShouldCountReadUsedFilteredRejected()
        {
            var r = _host.Run("Get-RunCommandOperation -Path $d -Verbose", new System.Collections.Generic.Dictionary<string, object?> { ["d"] = _dir.Path });
            // 9 rows: 8 Run Command events and one VM write.
            Assert.Contains(r.Verbose, v => v.Contains("AzureActivity.csv") && v.Contains("read 9, used 8, filtered 1, rejected 0"));
        }

        [Fact]
        public void BadRow_WhenDateIsInvalid_ShouldNameFileLineColumnAndGoOn()
        {
            File.AppendAllText(Path.Combine(_dir.Path, "AzureActivity.csv"),
                Evidence.Activity("not-a-date", "Started", "VM09", "eve@contoso.com", "10.0.0.9", "c9") + "\n");
            var r = _host.Run("Get-RunCommandOperation -Path $d -Verbose", new System.Collections.Generic.Dictionary<string, object?> { ["d"] = _dir.Path });
            Assert.Null(r.Terminating);
            Assert.Equal(2, r.Output.Count);
            var e = Assert.Single(r.Errors);
            var text = e.ToString();
            Assert.Contains("AzureActivity.csv", text);
            Assert.Contains("line 11", text);
            Assert.Contains("TimeGenerated", text);
            Assert.Contains("not-a-date", text);
            Assert.Contains(r.Verbose, v => v.Contains("read 10, used 8, filtered 1, rejected 1"));
            Assert.NotEmpty(r.Warnings);
        }

        [Fact]
        public void WrongTable_WhenNamedExplicitly_ShouldBeATerminatingError()
        {
            var r = _host.Run("try { Get-RunCommandOperation -Path (Join-Path $d DeviceEvents.csv); 'no error' } catch { $_.FullyQualifiedErrorId; $_.Exception.Message }",
                new System.Collections.Generic.Dictionary<string, object?> { ["d"] = _dir.Path });
            Assert.Equal(2, r.Output.Count);
            Assert.StartsWith("EvidenceWrongTable", r.Output[0].ToString());
            Assert.Contains("DeviceEvents", r.Output[1].ToString());
            Assert.Contains("DeviceEvents.csv", r.Output[1].ToString());
        }

        [Fact]
        public void DefaultView_WhenFormatted_ShouldShowTheAnalystColumns()
        {
            var r = _host.Run("Get-RunCommandOperation -Path $d | Get-RunCommandScriptExecution -Path $d | Find-UniqueRunCommandScript | Out-String -Width 200",
                new System.Collections.Generic.Dictionary<string, object?> { ["d"] = _dir.Path });
            var text = string.Concat(r.Output.Select(o => o.ToString()));
            Assert.Contains("VirtualMachineName", text);
            Assert.Contains("Prevalence", text);
            Assert.Contains("05c3ab7a05dc", text);
            Assert.Contains("50%", text);
        }
    }
}
