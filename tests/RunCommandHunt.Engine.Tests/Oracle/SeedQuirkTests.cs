using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Oracle
{
    /// <summary>One scenario per quirk of the two seeds, with the expected rows worked out by hand from the KQL
    /// (domain.md §A), never by running code. Hashes of lists other than the three reference vectors were computed
    /// with python3 hashlib over the JSON text written next to them. Derived classes run these against the oracle
    /// (<see cref="OracleQuirkTests"/>) and against the engine (Compatibility.EngineQuirkTests).</summary>
    public abstract class SeedQuirkTests
    {
        protected abstract ISeedRunner Runner { get; }

        private const string Alice = "alice@contoso.com";
        private const string HashGetProcessUpper = "b232f29ea51fa3f7860b945fc37329a216f20febac730e4c6e26c55244c4b9eb";       // ["GET-PROCESS"]
        private const string HashGetProcessWriteOutputUpper = "05c3ab7a05dc1a8dab7dce6d8d655de3a9ebf54a313d9c839720d3f7ea31c369"; // ["GET-PROCESS","WRITE-OUTPUT"]
        private const string HashEmptyList = "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";           // []
        private const string HashGetProcess = "a2f0bc1e31fe6ce1203581702260fbbeed8046a8b58fd77e7fc488606b48a365";           // ["Get-Process"]

        private static DateTime At(int minutes, int seconds = 0) => Evidence.At(minutes, seconds);

        /// <summary>The command line RunCommandExtension uses for scriptN.ps1.</summary>
        private static string CommandLine(int n) => $"powershell -ExecutionPolicy Unrestricted -File script{n}.ps1";

        /// <summary>One operation on vm1 from minute 0 to 2, its script1.ps1 written at minute 1, then the script's own
        /// name and Get-Process as PowerShell commands.</summary>
        private static Evidence OneScript(string operationName = Evidence.RunCommandAction, string finalStatus = "Succeeded")
        {
            return new Evidence()
                .Operation("c1", "vm1", At(0), At(2), operationName: operationName, finalStatus: finalStatus)
                .ScriptFile("vm1.contoso.com", "script1.ps1", At(1))
                .PowerShell("vm1.contoso.com", CommandLine(1), "script1.ps1", At(1, 10))
                .PowerShell("vm1.contoso.com", CommandLine(1), "Get-Process", At(1, 20));
        }

        // ---- operation name: == in 000, =~ in 003 ----------------------------------------------------

        [Fact]
        public void HuntingQuery_WhenOperationNameIsExact_ShouldReturnTheLinkedScript()
        {
            var rows = Runner.HuntingQuery(OneScript());

            var row = Assert.Single(rows);
            Assert.Equal(At(0), row.StartTime);
            Assert.Equal(At(2), row.EndTime);
            Assert.Equal(At(1), row.PowershellFileCreatedTimestamp);
            // The script1.ps1 event is removed by PSCommand != PowershellFileName, so execution starts at 1:20.
            Assert.Equal(At(1, 20), row.PowershellExecStart);
            Assert.Equal(At(1, 20), row.PowershellExecEnd);
            Assert.Equal("script1.ps1", row.PowershellFileName);
            Assert.Equal(new[] { "Get-Process" }, row.PowershellScriptCommands);
            Assert.Equal(Alice, row.Caller);
            Assert.Equal("10.0.0.5", row.CallerIpAddress);
            Assert.Equal(CommandLine(1), row.InitiatingProcessCommandLine);
            Assert.Equal(1024L, row.PowershellFileSize);
            Assert.Equal("vm1", row.VirtualMachineName);
            Assert.Equal(HashGetProcess, row.ScriptFingerprintHash);
        }

        [Fact]
        public void HuntingQuery_WhenOperationNameIsUpperCase_ShouldReturnNothing()
        {
            var evidence = OneScript(operationName: "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION");

            Assert.Empty(Runner.Operations(evidence, CompatibilityMode.HuntingQuery));
            Assert.Empty(Runner.HuntingQuery(evidence));
        }

        [Fact]
        public void AnalyticRule_WhenOperationNameIsUpperCase_ShouldReturnTheScript()
        {
            var rows = Runner.AnalyticRule(OneScript(operationName: "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION"));

            var row = Assert.Single(rows);
            Assert.Equal(At(0), row.timestamp);
            Assert.Equal(At(0), row.StartTime);
            Assert.Equal(At(2), row.EndTime);
            Assert.Equal("script1.ps1", row.PowershellFileName);
            Assert.Equal("vm1", row.VirtualMachineName);
            Assert.Equal(Alice, row.Caller);
            Assert.Equal("alice", row.CallerName);
            Assert.Equal("contoso.com", row.CallerUPNSuffix);
            Assert.Equal("10.0.0.5", row.CallerIpAddress);
            Assert.Equal(new[] { "GET-PROCESS" }, row.PowershellScriptCommands);
            Assert.Equal(1024L, row.PowershellFileSize);
            Assert.Equal(HashGetProcessUpper, row.ScriptFingerprintHash);
            // toreal(1) / toreal(1) * 100
            Assert.Equal(100.0, row.Prevalence);
            Assert.Equal(Evidence.VmScope("vm1"), row.Scope);
        }

        // ---- status vocabulary: has "Succeeded" vs has_any ("Succeeded", "Success") ---------------------

        [Fact]
        public void Operations_WhenStatusesAreStartAcceptSuccess_ShouldKeepForAnalyticRuleOnly()
        {
            var auth = Evidence.AuthorizationFor(Evidence.VmScope("vm1"));
            var evidence = new Evidence()
                .Activity1(At(0), "c1", "Start", auth, Alice, "10.0.0.5")
                .Activity1(At(0, 1), "c1", "Accept", auth, Alice, "10.0.0.5")
                .Activity1(At(2), "c1", "Success", auth, Alice, "");

            Assert.Empty(Runner.Operations(evidence, CompatibilityMode.HuntingQuery));
            var op = Assert.Single(Runner.Operations(evidence, CompatibilityMode.AnalyticRule));
            Assert.Equal(At(0), op.StartTime);
            Assert.Equal(At(2), op.EndTime);
        }

        [Fact]
        public void Operations_WhenSucceededIsUpperCase_ShouldKeepForBothSeeds()
        {
            var evidence = OneScript(finalStatus: "SUCCEEDED");

            // has matches terms case-insensitively.
            Assert.Single(Runner.Operations(evidence, CompatibilityMode.HuntingQuery));
            Assert.Single(Runner.Operations(evidence, CompatibilityMode.AnalyticRule));
        }

        [Fact]
        public void Operations_WhenOperationFailed_ShouldDropForBothSeeds()
        {
            var evidence = OneScript(finalStatus: "Failed");

            Assert.Empty(Runner.Operations(evidence, CompatibilityMode.HuntingQuery));
            Assert.Empty(Runner.Operations(evidence, CompatibilityMode.AnalyticRule));
            Assert.Empty(Runner.HuntingQuery(evidence));
            Assert.Empty(Runner.AnalyticRule(evidence));
        }

        // ---- grouping by CorrelationId, Authorization, Caller ---------------------------------------

        [Fact]
        public void HuntingQuery_WhenAuthorizationTextDiffersWithinCorrelation_ShouldSplitTheOperation()
        {
            var scope = Evidence.VmScope("vm1");
            var plain = Evidence.AuthorizationFor(scope);
            var withEvidence = "{\"action\":\"Microsoft.Compute/virtualMachines/runCommand/action\",\"scope\":\"" + scope
                + "\",\"evidence\":{\"role\":\"Virtual Machine Contributor\",\"principalType\":\"User\"}}";
            var evidence = new Evidence()
                .Activity1(At(0), "c1", "Started", plain, Alice, "10.0.0.5")
                .Activity1(At(1), "c1", "Accepted", withEvidence, Alice, "10.0.0.5")
                .Activity1(At(3), "c1", "Succeeded", withEvidence, Alice, "")
                // Written before the second group starts: outside its window.
                .ScriptFile("vm1", "script1.ps1", At(0, 30))
                .ScriptFile("vm1", "script2.ps1", At(2))
                .PowerShell("vm1", CommandLine(1), "Get-Process", At(4))
                .PowerShell("vm1", CommandLine(2), "Get-Process", At(5));

            // Group (plain) holds only Started and is dropped; group (withEvidence) spans minute 1 to 3.
            var op = Assert.Single(Runner.Operations(evidence, CompatibilityMode.HuntingQuery));
            Assert.Equal(At(1), op.StartTime);
            Assert.Equal(At(3), op.EndTime);
            var row = Assert.Single(Runner.HuntingQuery(evidence));
            Assert.Equal("script2.ps1", row.PowershellFileName);
            Assert.Equal(At(1), row.StartTime);
        }

        [Fact]
        public void Operations_WhenCallerDiffersWithinCorrelation_ShouldSplitTheOperation()
        {
            var auth = Evidence.AuthorizationFor(Evidence.VmScope("vm1"));
            var evidence = new Evidence()
                .Activity1(At(0), "c1", "Started", auth, Alice, "10.0.0.5")
                .Activity1(At(1), "c1", "Accepted", auth, Alice, "10.0.0.5")
                .Activity1(At(3), "c1", "Succeeded", auth, "bob@contoso.com", "10.0.0.9");

            foreach (var mode in new[] { CompatibilityMode.HuntingQuery, CompatibilityMode.AnalyticRule })
            {
                var op = Assert.Single(Runner.Operations(evidence, mode));
                Assert.Equal("bob@contoso.com", op.Caller);
                Assert.Equal(At(3), op.StartTime);
                Assert.Equal(At(3), op.EndTime);
                Assert.Equal("10.0.0.9", op.CallerIpAddress);
            }
        }

        // ---- max(CallerIpAddress) -------------------------------------------------------------------

        [Fact]
        public void Operations_WhenCallerIpAddressesDiffer_ShouldTakeTheOrdinalMaximum()
        {
            var evidence = new Evidence();
            foreach (var (correlationId, vm, ips) in new[]
            {
                ("c1", "vm1", new[] { "10.0.0.5", "9.1.1.1", "" }),
                ("c2", "vm2", new[] { "", "", "" }),
                ("c3", "vm3", new[] { "", "10.0.0.5", "" }),
            })
            {
                var auth = Evidence.AuthorizationFor(Evidence.VmScope(vm));
                evidence.Activity1(At(0), correlationId, "Started", auth, Alice, ips[0])
                    .Activity1(At(1), correlationId, "Accepted", auth, Alice, ips[1])
                    .Activity1(At(2), correlationId, "Succeeded", auth, Alice, ips[2]);
            }

            foreach (var mode in new[] { CompatibilityMode.HuntingQuery, CompatibilityMode.AnalyticRule })
            {
                var ops = Runner.Operations(evidence, mode).ToDictionary(o => o.CorrelationId);
                Assert.Equal(3, ops.Count);
                // "9.1.1.1" > "10.0.0.5" because '9' > '1'; "" is the least string.
                Assert.Equal("9.1.1.1", ops["c1"].CallerIpAddress);
                Assert.Equal("", ops["c2"].CallerIpAddress);
                Assert.Equal("10.0.0.5", ops["c3"].CallerIpAddress);
            }
        }

        // ---- Scope: split(scope, "/")[2] and [-1] ---------------------------------------------------

        [Theory]
        [InlineData("/subscriptions/S1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", "S1", "vm1")]
        [InlineData("/subscriptions/S1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/", "S1", "")]
        [InlineData("vm1", "", "vm1")]
        [InlineData("", "", "")]
        public void Operations_WhenScopeHasAShape_ShouldSplitItLiterally(string scope, string subscription, string vm)
        {
            var auth = Evidence.AuthorizationFor(scope);
            var evidence = new Evidence()
                .Activity1(At(0), "c1", "Started", auth, Alice, "10.0.0.5")
                .Activity1(At(2), "c1", "Succeeded", auth, Alice, "");

            foreach (var mode in new[] { CompatibilityMode.HuntingQuery, CompatibilityMode.AnalyticRule })
            {
                var op = Assert.Single(Runner.Operations(evidence, mode));
                Assert.Equal(subscription, op.Subscription);
                Assert.Equal(vm, op.VirtualMachineName);
            }
        }

        [Fact]
        public void Operations_WhenAuthorizationIsNotJson_ShouldKeepItWithEmptyNames()
        {
            // parse_json keeps invalid JSON as a string; .scope of a string is null; split of it gives "" everywhere.
            const string auth = "runCommand/action on virtualMachines/vm1";
            var evidence = new Evidence()
                .Activity1(At(0), "c1", "Started", auth, Alice, "10.0.0.5")
                .Activity1(At(2), "c1", "Succeeded", auth, Alice, "");

            foreach (var mode in new[] { CompatibilityMode.HuntingQuery, CompatibilityMode.AnalyticRule })
            {
                var op = Assert.Single(Runner.Operations(evidence, mode));
                Assert.Equal("", op.Subscription);
                Assert.Equal("", op.VirtualMachineName);
                Assert.Equal(At(0), op.StartTime);
                Assert.Equal(At(2), op.EndTime);
            }
        }

        [Fact]
        public void HuntingQuery_WhenScopeEndsWithSlash_ShouldJoinOnlyDevicesWithAnEmptyFirstLabel()
        {
            var auth = Evidence.AuthorizationFor(Evidence.VmScope("vm1") + "/");
            var evidence = new Evidence()
                .Activity1(At(0), "c1", "Started", auth, Alice, "10.0.0.5")
                .Activity1(At(2), "c1", "Succeeded", auth, Alice, "")
                .ScriptFile("vm1.contoso.com", "script1.ps1", At(1))
                // split("", ".")[0] is "", equal to the empty VirtualMachineName.
                .ScriptFile("", "script2.ps1", At(1))
                .PowerShell("vm1.contoso.com", CommandLine(1), "Get-Process", At(3))
                .PowerShell("vm1.contoso.com", CommandLine(2), "Get-Process", At(4));

            var row = Assert.Single(Runner.HuntingQuery(evidence));
            Assert.Equal("", row.VirtualMachineName);
            Assert.Equal("script2.ps1", row.PowershellFileName);
        }

        // ---- leftouter + between ------------------------------------------------------------------------

        [Fact]
        public void HuntingQuery_WhenFileIsOnTheWindowEdges_ShouldKeepBothEndsInclusive()
        {
            var evidence = new Evidence()
                .Operation("c1", "vm1", At(0), At(2))
                .ScriptFile("vm1", "script1.ps1", At(0))
                .ScriptFile("vm1", "script2.ps1", At(2))
                .ScriptFile("vm1", "script3.ps1", At(0).AddTicks(-1))
                .ScriptFile("vm1", "script4.ps1", At(2).AddTicks(1));
            for (var n = 1; n <= 4; n++) evidence.PowerShell("vm1", CommandLine(n), "Get-Process", At(10 + n));

            var rows = Runner.HuntingQuery(evidence);

            Assert.Equal(new[] { "script1.ps1", "script2.ps1" }, rows.Select(r => r.PowershellFileName).OrderBy(n => n, StringComparer.Ordinal));
            Assert.Equal(At(0), rows.Single(r => r.PowershellFileName == "script1.ps1").PowershellFileCreatedTimestamp);
            Assert.Equal(At(2), rows.Single(r => r.PowershellFileName == "script2.ps1").PowershellFileCreatedTimestamp);
        }

        [Fact]
        public void HuntingQuery_WhenOperationHasNoScriptFile_ShouldDropTheOperation()
        {
            var evidence = OneScript()
                .Operation("c9", "vm9", At(0), At(2))
                .PowerShell("vm9", CommandLine(7), "Get-Process", At(1, 30));

            var row = Assert.Single(Runner.HuntingQuery(evidence));
            Assert.Equal("vm1", row.VirtualMachineName);
            var unique = Assert.Single(Runner.AnalyticRule(evidence));
            Assert.Equal("vm1", unique.VirtualMachineName);
        }

        // ---- DeviceName: first label, case-sensitive ------------------------------------------------------

        [Fact]
        public void HuntingQuery_WhenDeviceNamesVary_ShouldMatchTheFirstLabelCaseSensitively()
        {
            var evidence = new Evidence()
                .Operation("c1", "vm1", At(0), At(5))
                .ScriptFile("vm1.contoso.com", "script1.ps1", At(1))
                .ScriptFile("VM1.contoso.com", "script2.ps1", At(1))
                .ScriptFile("vm1", "script3.ps1", At(1))
                .ScriptFile("vm1x.contoso.com", "script4.ps1", At(1))
                .ScriptFile("vm1.a.b", "script5.ps1", At(1))
                .ScriptFile("vm1.contoso.com", "script6.ps1", At(1), initiatingProcessFileName: "runcommandextension.exe");
            for (var n = 1; n <= 6; n++) evidence.PowerShell("vm1.contoso.com", CommandLine(n), "Get-Process", At(10 + n));

            var rows = Runner.HuntingQuery(evidence);

            Assert.Equal(new[] { "script1.ps1", "script3.ps1", "script5.ps1" },
                rows.Select(r => r.PowershellFileName).OrderBy(n => n, StringComparer.Ordinal));
            Assert.All(rows, r => Assert.Equal("vm1", r.VirtualMachineName));
        }

        [Fact]
        public void HuntingQuery_WhenVmResourceNameDiffersInCaseFromDevice_ShouldReturnNothing()
        {
            var evidence = new Evidence()
                .Operation("c1", "Web01", At(0), At(2))
                .ScriptFile("web01.contoso.com", "script1.ps1", At(1))
                .PowerShell("web01.contoso.com", CommandLine(1), "Get-Process", At(1, 30));

            Assert.Empty(Runner.HuntingQuery(evidence));
            Assert.Empty(Runner.AnalyticRule(evidence));
        }

        // ---- DeviceEvents sub-query --------------------------------------------------------------------

        [Fact]
        public void Seeds_WhenDeviceEventsLackACommand_ShouldKeepEmptyCommands()
        {
            var evidence = OneScript()
                // No ActionType filter: any event under the script's command line takes part, Command "" included.
                .DeviceEvent("vm1.contoso.com", CommandLine(1), "{}", "", At(1, 5), "AmsiScriptDetection")
                .DeviceEvent("vm1.contoso.com", CommandLine(1), "not json", "", At(1, 30), "ScriptContent");

            var row = Assert.Single(Runner.HuntingQuery(evidence));
            // Time order: 1:05 "", (1:10 script1.ps1 removed), 1:20 Get-Process, 1:30 "".
            Assert.Equal(new[] { "", "Get-Process", "" }, row.PowershellScriptCommands);
            Assert.Equal(At(1, 5), row.PowershellExecStart);
            Assert.Equal(At(1, 30), row.PowershellExecEnd);
            Assert.Equal("af91a5356445228a57a9cdb044d6b79cc75566b6bab33ba5d03f04dbcff7aaf3", row.ScriptFingerprintHash); // ["","Get-Process",""]

            var unique = Assert.Single(Runner.AnalyticRule(evidence));
            // Ordinal order of upper-cased commands: "" sorts first.
            Assert.Equal(new[] { "", "", "GET-PROCESS" }, unique.PowershellScriptCommands);
            Assert.Equal("b0b0ae265c14b92e35b6d0c5403f1c59ec75fb7289d2265cdbbbadf2f5221a37", unique.ScriptFingerprintHash); // ["","","GET-PROCESS"]
        }

        [Fact]
        public void HuntingQuery_WhenFileSwitchIsLowerCase_ShouldGroupUnderAnEmptyFileName()
        {
            const string lower = "powershell -ExecutionPolicy Unrestricted -file script2.ps1";
            var evidence = new Evidence()
                .Operation("c1", "vm1", At(0), At(3))
                .ScriptFile("vm1", "script2.ps1", At(1))
                .ScriptFile("vm1", "", At(2), fileSize: 77)
                .PowerShell("vm1", lower, "script2.ps1", At(1, 10))
                .PowerShell("vm1", lower, "Get-Process", At(1, 20));

            // has "-File" is case-insensitive, extract is not: PowershellFileName is "", so "script2.ps1" != "" survives.
            var row = Assert.Single(Runner.HuntingQuery(evidence));
            Assert.Equal("", row.PowershellFileName);
            Assert.Equal(new[] { "script2.ps1", "Get-Process" }, row.PowershellScriptCommands);
            Assert.Equal(At(2), row.PowershellFileCreatedTimestamp);
            Assert.Equal(At(1, 10), row.PowershellExecStart);
            Assert.Equal(At(1, 20), row.PowershellExecEnd);
            Assert.Equal(77L, row.PowershellFileSize);
            Assert.Equal(lower, row.InitiatingProcessCommandLine);
            Assert.Equal("4542303ca2f7316b2ea7403abd81f6a6be2867d266c0e1db5d4dd58886736e11", row.ScriptFingerprintHash); // ["script2.ps1","Get-Process"]

            // isnotempty(PowershellFileName) drops them in the rule.
            Assert.Empty(Runner.AnalyticRule(evidence));
        }

        [Theory]
        [InlineData("powershell -ExecutionPolicy Unrestricted -FilePath script1.ps1")]        // has "-File" is false
        [InlineData("powershell -ExecutionPolicy Unrestricted -File C:\\Temp\\script1.ps1")] // extract gives ""
        [InlineData("powershell -ExecutionPolicy Unrestricted -File \"script1.ps1\"")]       // extract gives ""
        [InlineData("powershell -ExecutionPolicy Unrestricted -FILE script1.ps1")]           // extract is case-sensitive
        [InlineData("powershell -ExecutionPolicy Unrestricted -File  script1.ps1")]          // \s is exactly one character
        public void Seeds_WhenCommandLineDoesNotYieldTheScriptName_ShouldReturnNothing(string commandLine)
        {
            var evidence = new Evidence()
                .Operation("c1", "vm1", At(0), At(2))
                .ScriptFile("vm1", "script1.ps1", At(1))
                .PowerShell("vm1", commandLine, "Get-Process", At(1, 30));

            Assert.Empty(Runner.HuntingQuery(evidence));
            Assert.Empty(Runner.AnalyticRule(evidence));
        }

        [Theory]
        [InlineData("powershell -ExecutionPolicy Unrestricted -File\tscript1.ps1")]
        [InlineData("powershell -ExecutionPolicy Unrestricted -File script1.ps1x")]
        [InlineData("cmd /c powershell -File script1.ps1 -File script2.ps1")]
        public void Seeds_WhenCommandLineHoldsTheScriptNameLoosely_ShouldExtractIt(string commandLine)
        {
            // \s matches a tab, the pattern is not anchored, and the first match wins.
            var evidence = new Evidence()
                .Operation("c1", "vm1", At(0), At(2))
                .ScriptFile("vm1", "script1.ps1", At(1))
                .PowerShell("vm1", commandLine, "Get-Process", At(1, 30));

            var row = Assert.Single(Runner.HuntingQuery(evidence));
            Assert.Equal("script1.ps1", row.PowershellFileName);
            Assert.Equal(commandLine, row.InitiatingProcessCommandLine);
            Assert.Single(Runner.AnalyticRule(evidence));
        }

        [Fact]
        public void Seeds_WhenScriptNameCommandDiffersInCase_ShouldKeepIt()
        {
            var evidence = new Evidence()
                .Operation("c1", "vm1", At(0), At(2))
                .ScriptFile("vm1", "script1.ps1", At(1))
                .PowerShell("vm1", CommandLine(1), "Script1.ps1", At(1, 10))
                .PowerShell("vm1", CommandLine(1), "Get-Process", At(1, 20));

            // != is case-sensitive and, in the rule, runs before toupper.
            var row = Assert.Single(Runner.HuntingQuery(evidence));
            Assert.Equal(new[] { "Script1.ps1", "Get-Process" }, row.PowershellScriptCommands);
            Assert.Equal("e31f1bc9c02d4f43d9cf821727e36e542e1bd99506a1e3fd369a844d1e8a6a45", row.ScriptFingerprintHash); // ["Script1.ps1","Get-Process"]
            var unique = Assert.Single(Runner.AnalyticRule(evidence));
            Assert.Equal(new[] { "GET-PROCESS", "SCRIPT1.PS1" }, unique.PowershellScriptCommands);
            Assert.Equal("30c9ab7a422f6bab4c9e430f55164df8f6e6094f3e7232efcafb969e6e63423e", unique.ScriptFingerprintHash); // ["GET-PROCESS","SCRIPT1.PS1"]
        }

        [Fact]
        public void Seeds_WhenCommandsArriveOutOfOrder_ShouldListThemInEachSeedsOrder()
        {
            var evidence = new Evidence()
                .Operation("c1", "vm1", At(0), At(2))
                .ScriptFile("vm1", "script1.ps1", At(1))
                .PowerShell("vm1", CommandLine(1), "Write-Output", At(1, 30))
                .PowerShell("vm1", CommandLine(1), "script1.ps1", At(1, 5))
                .PowerShell("vm1", CommandLine(1), "get-process", At(1, 20))
                .PowerShell("vm1", CommandLine(1), "Write-Output", At(1, 10));

            // 000: order by TimeGenerated asc, duplicates kept.
            var row = Assert.Single(Runner.HuntingQuery(evidence));
            Assert.Equal(new[] { "Write-Output", "get-process", "Write-Output" }, row.PowershellScriptCommands);
            Assert.Equal(At(1, 10), row.PowershellExecStart);
            Assert.Equal(At(1, 30), row.PowershellExecEnd);
            Assert.Equal("0671e2fdbf3a8d2a36b290026f8bc503fb2661f1570a6fb336c82edabbf7946a", row.ScriptFingerprintHash); // ["Write-Output","get-process","Write-Output"]

            // 003: order by toupper(PSCommand) asc, duplicates kept.
            var unique = Assert.Single(Runner.AnalyticRule(evidence));
            Assert.Equal(new[] { "GET-PROCESS", "WRITE-OUTPUT", "WRITE-OUTPUT" }, unique.PowershellScriptCommands);
            Assert.Equal("47fdf4fce2420ec56929249f8e74cfe529d6121d42f375d605c848673ecbba71", unique.ScriptFingerprintHash); // ["GET-PROCESS","WRITE-OUTPUT","WRITE-OUTPUT"]
        }

        // ---- inner join on the file name alone ---------------------------------------------------------

        [Fact]
        public void HuntingQuery_WhenAnotherMachineRanTheSameScriptName_ShouldLinkItsCommands()
        {
            var evidence = new Evidence()
                .Operation("c1", "vmA", At(0), At(2))
                .ScriptFile("vmA.contoso.com", "script0.ps1", At(1))
                // Only vmB ran script0.ps1, and long after the operation: no machine or time key in the join.
                .PowerShell("vmB.contoso.com", CommandLine(0), "script0.ps1", At(30))
                .PowerShell("vmB.contoso.com", CommandLine(0), "Invoke-Mimikatz", At(30, 5));

            var row = Assert.Single(Runner.HuntingQuery(evidence));
            Assert.Equal("vmA", row.VirtualMachineName);
            Assert.Equal(new[] { "Invoke-Mimikatz" }, row.PowershellScriptCommands);
            Assert.Equal(At(30, 5), row.PowershellExecStart);
            Assert.Equal("ff096c7cb327fe59dca125a5b9de19a64972ea9cb2f1f450b7275e8959d56bcc", row.ScriptFingerprintHash); // ["Invoke-Mimikatz"]
        }

        [Fact]
        public void HuntingQuery_WhenTwoCommandLinesRanTheSameScriptName_ShouldReturnARowForEach()
        {
            const string other = "powershell.exe -ExecutionPolicy Unrestricted -File script0.ps1";
            var evidence = new Evidence()
                .Operation("c1", "vmA", At(0), At(2))
                .ScriptFile("vmA", "script0.ps1", At(1))
                .PowerShell("vmA", CommandLine(0), "Get-Process", At(1, 30))
                .PowerShell("vmB", other, "Write-Output", At(40))
                // Same command line on a third machine: merged into vmA's group, in time order.
                .PowerShell("vmC", CommandLine(0), "Get-Date", At(50));

            var rows = Runner.HuntingQuery(evidence);

            Assert.Equal(2, rows.Count);
            Assert.All(rows, r => Assert.Equal("vmA", r.VirtualMachineName));
            var mine = rows.Single(r => r.InitiatingProcessCommandLine == CommandLine(0));
            Assert.Equal(new[] { "Get-Process", "Get-Date" }, mine.PowershellScriptCommands);
            Assert.Equal(At(1, 30), mine.PowershellExecStart);
            Assert.Equal(At(50), mine.PowershellExecEnd);
            var theirs = rows.Single(r => r.InitiatingProcessCommandLine == other);
            Assert.Equal(new[] { "Write-Output" }, theirs.PowershellScriptCommands);
        }

        // ---- rarity: totals, HashCount, Prevalence -------------------------------------------------------

        [Fact]
        public void AnalyticRule_WhenTheJoinFansOut_ShouldCountEveryJoinedRowInTotals()
        {
            var evidence = new Evidence()
                .Operation("c1", "vm1", At(0), At(2))
                .ScriptFile("vm1", "script0.ps1", At(1))
                .Operation("c2", "vm2", At(5), At(7))
                .ScriptFile("vm2", "script1.ps1", At(6))
                .PowerShell("vm1", CommandLine(0), "Get-Process", At(1, 10))
                .PowerShell("vm3", "powershell.exe -File script0.ps1", "Write-Output", At(20))
                .PowerShell("vm3", "powershell.exe -File script0.ps1", "get-process", At(20, 10))
                .PowerShell("vm2", CommandLine(1), "Get-Process", At(6, 10));

            // RunCommandData: (c1, ["GET-PROCESS"]), (c1, ["GET-PROCESS","WRITE-OUTPUT"]), (c2, ["GET-PROCESS"]).
            // totals = 3; HashCount 2 for ["GET-PROCESS"], 1 for the other.
            var row = Assert.Single(Runner.AnalyticRule(evidence));
            Assert.Equal("vm1", row.VirtualMachineName);
            Assert.Equal("script0.ps1", row.PowershellFileName);
            Assert.Equal(new[] { "GET-PROCESS", "WRITE-OUTPUT" }, row.PowershellScriptCommands);
            Assert.Equal(HashGetProcessWriteOutputUpper, row.ScriptFingerprintHash);
            Assert.Equal(33.33333333333333, row.Prevalence); // toreal(1) / toreal(3) * 100
            Assert.Equal(At(0), row.timestamp);
            Assert.Equal(At(0), row.StartTime);
            Assert.Equal(At(2), row.EndTime);
            Assert.Equal(Evidence.VmScope("vm1"), row.Scope);
            Assert.Equal("10.0.0.5", row.CallerIpAddress);
            Assert.Equal(1024L, row.PowershellFileSize);
        }

        [Fact]
        public void AnalyticRule_WhenOneOfSevenRowsIsUnique_ShouldComputePrevalenceInKustoOrder()
        {
            var evidence = new Evidence()
                .Operation("c1", "vm1", At(0), At(2))
                .ScriptFile("vm1", "script0.ps1", At(1));
            // Seven command lines naming script0.ps1: seven groups, seven joined rows.
            for (var k = 1; k <= 7; k++)
            {
                evidence.PowerShell("vm1", CommandLine(0) + " -Run " + k, k == 7 ? "Write-Output" : "Get-Process", At(10 + k));
            }

            var row = Assert.Single(Runner.AnalyticRule(evidence));
            Assert.Equal(new[] { "WRITE-OUTPUT" }, row.PowershellScriptCommands);
            Assert.Equal("744ed41dba45115b4bdc69a43bbd2f6507f42c7ab5848ae9f70b5fb02d21ccda", row.ScriptFingerprintHash); // ["WRITE-OUTPUT"]
            // toreal(1) / toreal(7) * 100, not 100.0 / 7.
            Assert.Equal(14.285714285714285, row.Prevalence);
            Assert.Equal(7, Runner.HuntingQuery(evidence).Count);
        }

        [Fact]
        public void AnalyticRule_WhenScriptsDifferOnlyInSize_ShouldShareTheHash()
        {
            var evidence = new Evidence()
                .Operation("c1", "vm1", At(0), At(2))
                .ScriptFile("vm1", "script0.ps1", At(1), fileSize: 100)
                .Operation("c2", "vm2", At(5), At(7))
                .ScriptFile("vm2", "script1.ps1", At(6), fileSize: 200)
                .PowerShell("vm1", CommandLine(0), "Get-Process", At(1, 10))
                .PowerShell("vm2", CommandLine(1), "Get-Process", At(6, 10));

            // TempFingerprintString (with the size) is never used: both hash ["GET-PROCESS"], HashCount 2.
            Assert.Empty(Runner.AnalyticRule(evidence));
            var rows = Runner.HuntingQuery(evidence);
            Assert.Equal(new long?[] { 100, 200 }, rows.Select(r => r.PowershellFileSize));
            Assert.All(rows, r => Assert.Equal(HashGetProcess, r.ScriptFingerprintHash));
        }

        [Fact]
        public void AnalyticRule_WhenCallersHaveDifferentShapes_ShouldSplitAtTheFirstAt()
        {
            var evidence = new Evidence()
                .Operation("c1", "vm1", At(0), At(2), caller: "5f1c8b9e-0000-4000-8000-1234567890ab")
                .ScriptFile("vm1", "script1.ps1", At(1))
                .PowerShell("vm1", CommandLine(1), "Get-Process", At(1, 30))
                .Operation("c2", "vm2", At(5), At(7), caller: "alice@contoso.com")
                .ScriptFile("vm2", "script2.ps1", At(6))
                .PowerShell("vm2", CommandLine(2), "Write-Output", At(6, 30))
                .Operation("c3", "vm3", At(10), At(12), caller: "x@y@z")
                .ScriptFile("vm3", "script3.ps1", At(11))
                .PowerShell("vm3", CommandLine(3), "Get-Date", At(11, 30));

            var rows = Runner.AnalyticRule(evidence).ToDictionary(r => r.VirtualMachineName);

            Assert.Equal(3, rows.Count);
            Assert.Equal(("5f1c8b9e-0000-4000-8000-1234567890ab", ""), (rows["vm1"].CallerName, rows["vm1"].CallerUPNSuffix));
            Assert.Equal(("alice", "contoso.com"), (rows["vm2"].CallerName, rows["vm2"].CallerUPNSuffix));
            Assert.Equal(("x", "y"), (rows["vm3"].CallerName, rows["vm3"].CallerUPNSuffix));
            Assert.All(rows.Values, r => Assert.Equal(33.33333333333333, r.Prevalence));
        }

        // ---- final order of 000 -----------------------------------------------------------------------

        [Fact]
        public void HuntingQuery_WhenOperationsAreGivenLatestFirst_ShouldOrderByStartTime()
        {
            var evidence = new Evidence()
                .Operation("c2", "vm2", At(10), At(12))
                .ScriptFile("vm2", "script2.ps1", At(11))
                .PowerShell("vm2", CommandLine(2), "Get-Process", At(11, 30))
                .Operation("c1", "vm1", At(0), At(2))
                .ScriptFile("vm1", "script1.ps1", At(1))
                .PowerShell("vm1", CommandLine(1), "Get-Process", At(1, 30));

            var rows = Runner.HuntingQuery(evidence);

            Assert.Equal(new[] { "vm1", "vm2" }, rows.Select(r => r.VirtualMachineName));
            Assert.Equal(new[] { At(0), At(10) }, rows.Select(r => r.StartTime));
        }

        // ---- tostring(dynamic array) and hash_sha256 ----------------------------------------------------

        [Theory]
        [InlineData(new[] { "GET-PROCESS" }, HashGetProcessUpper)]
        [InlineData(new[] { "GET-PROCESS", "WRITE-OUTPUT" }, HashGetProcessWriteOutputUpper)]
        [InlineData(new string[0], HashEmptyList)]
        public void CommandsHash_WhenGivenReferenceVectors_ShouldMatchKusto(string[] commands, string expected)
        {
            Assert.Equal(expected, Runner.CommandsHash(commands));
        }

        [Fact]
        public void CommandsJson_WhenCommandsHoldSpecialCharacters_ShouldWriteCompactJsonWithoutEscapingNonAscii()
        {
            var json = Runner.CommandsJson(new[] { "a\"b", "C:\\temp", "Grüße-艺术", "x\ny", "" });

            Assert.Equal("[\"a\\\"b\",\"C:\\\\temp\",\"Grüße-艺术\",\"x\\ny\",\"\"]", json);
        }

        [Fact]
        public void CommandsHash_WhenCommandHoldsABackslash_ShouldHashTheEscapedJson()
        {
            // domain.md §A.8 reference vector for the JSON text ["C:\\temp\\a.ps1"].
            Assert.Equal("90e4249a310d8a5f805c1077882628f029fd13bbfd7b661056644d170c52a834", Runner.CommandsHash(new[] { "C:\\temp\\a.ps1" }));
        }
    }

    /// <summary>The quirk scenarios against the oracle.</summary>
    public sealed class OracleQuirkTests : SeedQuirkTests
    {
        protected override ISeedRunner Runner { get; } = new OracleRunner();
    }
}
