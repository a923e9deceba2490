using System.Linq;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Fingerprinting;
using Xunit;
using static RunCommandHunt.Engine.Tests.Correlation.Build;

namespace RunCommandHunt.Engine.Tests.Correlation
{
    public class DefaultCorrelationTests
    {
        private static RunCommandOperation[] Ops(params Engine.Model.AzureActivityRecord[] rows) =>
            OperationBuilder.Build(rows, CompatibilityMode.None).ToArray();

        [Fact]
        public void Build_WhenModernVocabularyAndUpperCaseOperation_ShouldKeepTheOperation()
        {
            var ops = Ops(
                Activity(0, "Start", "VM01", "c1", op: "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION"),
                Activity(1, "Accept", "VM01", "c1", op: "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION"),
                Activity(60, "Success", "VM01", "c1", ip: "", op: "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION"));
            var op = Assert.Single(ops);
            Assert.Equal("Succeeded", op.Status);
            Assert.Equal(At(0), op.StartTime);
            Assert.Equal(At(60), op.EndTime);
            Assert.Equal("10.0.0.5", op.CallerIpAddress);
            Assert.Equal("VirtualMachine", op.OperationKind);
        }

        [Fact]
        public void Build_WhenEventsDifferInAuthorization_ShouldStillBeOneOperation()
        {
            var ops = Ops(
                Activity(0, "Started", "VM01", "c1"),
                Activity(60, "Succeeded", "VM01", "c1", authorization: "{\"scope\":\"" + Scope("VM01") + "\",\"evidence\":{\"role\":\"Owner\"}}"));
            Assert.Single(ops);
        }

        [Fact]
        public void Build_WhenFailedOrInProgress_ShouldDropUnlessIncludeFailed()
        {
            var rows = new[]
            {
                Activity(0, "Started", "VM01", "c1"), Activity(30, "Failed", "VM01", "c1"),
                Activity(100, "Started", "VM02", "c2"),
            };
            Assert.Empty(OperationBuilder.Build(rows, CompatibilityMode.None));
            var all = OperationBuilder.Build(rows, CompatibilityMode.None, includeFailed: true).ToList();
            Assert.Equal(new[] { "Failed", "InProgress" }, all.Select(o => o.Status).ToArray());
        }

        [Fact]
        public void Build_WhenOtherRunCommandKinds_ShouldNameTheKindAndMachine()
        {
            var ops = Ops(
                Activity(0, "Succeeded", "x", "m1", op: "Microsoft.Compute/virtualMachines/runCommands/write",
                    authorization: "{\"scope\":\"/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/VM7/runCommands/rc1\"}"),
                Activity(10, "Succeeded", "x", "a1", op: "Microsoft.HybridCompute/machines/runCommands/write",
                    authorization: "{\"scope\":\"/subscriptions/s/resourceGroups/g/providers/Microsoft.HybridCompute/machines/arc01/runCommands/rc2\"}"));
            Assert.Equal(new[] { "ManagedVirtualMachine", "ArcMachine" }, ops.Select(o => o.OperationKind).ToArray());
            Assert.Equal(new[] { "VM7", "arc01" }, ops.Select(o => o.VirtualMachineName).ToArray());
        }

        [Fact]
        public void Correlate_WhenSameScriptNameOnTwoVms_ShouldLinkEachToItsOwnMachineOnly()
        {
            var ops = Ops(Activity(0, "Started", "VM01", "c1"), Activity(60, "Succeeded", "VM01", "c1"),
                          Activity(0, "Started", "VM02", "c2"), Activity(60, "Succeeded", "VM02", "c2"));
            var files = new[] { File(10, "vm01.contoso.local", "script0.ps1"), File(11, "VM02", "script0.ps1") };
            var events = new[]
            {
                Ps(20, "vm01.contoso.local", "script0.ps1", "script0.ps1"), Ps(21, "vm01.contoso.local", "script0.ps1", "Get-Process"),
                Ps(22, "VM02", "script0.ps1", "script0.ps1"), Ps(23, "VM02", "script0.ps1", "Stop-Service"),
            };
            var xs = ScriptExecutionCorrelator.Correlate(ops, files, events, CompatibilityMode.None).ToList();
            Assert.Equal(2, xs.Count);
            Assert.Equal(new[] { "Get-Process" }, xs.Single(x => x.VirtualMachineName == "VM01").PowershellScriptCommands);
            Assert.Equal(new[] { "Stop-Service" }, xs.Single(x => x.VirtualMachineName == "VM02").PowershellScriptCommands);
        }

        [Fact]
        public void Correlate_WhenFileOutsideWindow_ShouldNotLink()
        {
            var ops = Ops(Activity(0, "Started", "VM01", "c1"), Activity(60, "Succeeded", "VM01", "c1"));
            var xs = ScriptExecutionCorrelator.Correlate(ops, new[] { File(61, "vm01", "script1.ps1") },
                new[] { Ps(62, "vm01", "script1.ps1", "Get-Process") }, CompatibilityMode.None);
            Assert.Empty(xs);
        }

        [Fact]
        public void Correlate_WhenWindowBoundsAreEqualToFileTime_ShouldLinkInclusively()
        {
            var ops = Ops(Activity(0, "Started", "VM01", "c1"), Activity(60, "Succeeded", "VM01", "c1"));
            var xs = ScriptExecutionCorrelator.Correlate(ops, new[] { File(60, "vm01", "script1.ps1") },
                new[] { Ps(62, "vm01", "script1.ps1", "Get-Process") }, CompatibilityMode.None);
            Assert.Single(xs);
        }

        [Fact]
        public void Correlate_WhenScriptNameReusedAfterReinstall_ShouldSplitRunsByFileWrite()
        {
            // script1.ps1 written twice on one VM (the extension was reinstalled): each run belongs to the latest write before it.
            var ops = Ops(Activity(0, "Started", "VM01", "c1"), Activity(60, "Succeeded", "VM01", "c1"),
                          Activity(1000, "Started", "VM01", "c2"), Activity(1060, "Succeeded", "VM01", "c2"));
            var files = new[] { File(10, "vm01", "script1.ps1"), File(1010, "vm01", "script1.ps1") };
            var events = new[]
            {
                Ps(20, "vm01", "script1.ps1", "Get-Process"), Ps(1020, "vm01", "script1.ps1", "Invoke-Mimikatz"),
            };
            var xs = ScriptExecutionCorrelator.Correlate(ops, files, events, CompatibilityMode.None).ToList();
            Assert.Equal(new[] { "c1", "c2" }, xs.Select(x => x.CorrelationId).ToArray());
            Assert.Equal(new[] { "Get-Process" }, xs[0].PowershellScriptCommands);
            Assert.Equal(new[] { "Invoke-Mimikatz" }, xs[1].PowershellScriptCommands);
        }

        [Fact]
        public void Correlate_WhenCommandsRecorded_ShouldKeepExecutionOrderAndCaseAndDropScriptName()
        {
            var ops = Ops(Activity(0, "Started", "VM01", "c1"), Activity(60, "Succeeded", "VM01", "c1"));
            var events = new[]
            {
                Ps(23, "vm01", "script1.ps1", "write-output"), Ps(20, "vm01", "script1.ps1", "SCRIPT1.PS1"),
                Ps(21, "vm01", "script1.ps1", "Get-Process"), Ps(22, "vm01", "script1.ps1", "Get-Process"),
                Ps(24, "vm01", "script1.ps1", "", actionType: "ProcessCreated"),
            };
            var x = Assert.Single(ScriptExecutionCorrelator.Correlate(ops, new[] { File(10, "vm01", "script1.ps1") }, events, CompatibilityMode.None));
            Assert.Equal(new[] { "Get-Process", "Get-Process", "write-output" }, x.PowershellScriptCommands);
            Assert.Equal(At(20), x.PowershellExecStart);
            Assert.Equal(At(24), x.PowershellExecEnd);
            // The fingerprint is Sentinel's: upper-cased, sorted, duplicates kept.
            Assert.Equal(ScriptFingerprint.Sha256Hex("[\"GET-PROCESS\",\"GET-PROCESS\",\"WRITE-OUTPUT\"]"), x.ScriptFingerprintHash);
        }

        [Fact]
        public void Correlate_WhenCommandLineQuotesAFullPath_ShouldStillFindTheScript()
        {
            var ops = Ops(Activity(0, "Started", "VM01", "c1"), Activity(60, "Succeeded", "VM01", "c1"));
            var events = new[]
            {
                Ps(20, "vm01", "", "Get-Process", commandLine: "powershell.exe -file \"C:\\Packages\\Plugins\\Microsoft.CPlat.Core.RunCommandWindows\\1.1.22\\Downloads\\script1.ps1\""),
            };
            var x = Assert.Single(ScriptExecutionCorrelator.Correlate(ops, new[] { File(10, "vm01", "script1.ps1") }, events, CompatibilityMode.None));
            Assert.Equal(new[] { "Get-Process" }, x.PowershellScriptCommands);
        }

        [Fact]
        public void Correlate_WhenEventsExportedTwice_ShouldCountThemOnce()
        {
            var ops = Ops(Activity(0, "Started", "VM01", "c1"), Activity(60, "Succeeded", "VM01", "c1"));
            var e = Ps(21, "vm01", "script1.ps1", "Get-Process");
            var f = File(10, "vm01", "script1.ps1");
            var x = Assert.Single(ScriptExecutionCorrelator.Correlate(ops, new[] { f, f }, new[] { e, e }, CompatibilityMode.None));
            Assert.Equal(new[] { "Get-Process" }, x.PowershellScriptCommands);
        }

        [Fact]
        public void Correlate_WhenExtensionNameInOtherCase_ShouldStillLink()
        {
            var ops = Ops(Activity(0, "Started", "VM01", "c1"), Activity(60, "Succeeded", "VM01", "c1"));
            var x = ScriptExecutionCorrelator.Correlate(ops, new[] { File(10, "vm01", "script1.ps1", process: "runcommandextension.exe") },
                new[] { Ps(21, "vm01", "script1.ps1", "Get-Process") }, CompatibilityMode.None);
            Assert.Single(x);
        }
    }
}
