using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace RunCommandHunt.Module.Tests.Module
{
    public sealed class ManifestTests : IDisposable
    {
        private readonly ModuleHost _bare = new ModuleHost(import: false);

        public void Dispose() => _bare.Dispose();

        [Fact]
        public void TestModuleManifest_WhenBuiltModuleChecked_ShouldPassWithoutErrors()
        {
            var r = _bare.Run("Test-ModuleManifest -Path $m -ErrorAction Continue; @((Import-PowerShellDataFile $m).CmdletsToExport)", new Dictionary<string, object?> { ["m"] = ModuleHost.Manifest });
            Assert.Null(r.Terminating);
            Assert.True(r.Errors.Count == 0, string.Join("\n", r.Errors));
            var info = (PSModuleInfo)r.Output[0].BaseObject;
            Assert.Equal("RunCommandHunt", info.Name);
            Assert.Equal(r.Output.Skip(1).Select(o => o.ToString()).OrderBy(n => n), info.ExportedCmdlets.Keys.OrderBy(n => n));
        }

        [Fact]
        public void Manifest_WhenImported_ShouldExportExactlyTheCmdletsItDeclares()
        {
            var r = _bare.Run(@"
$declared = (Import-PowerShellDataFile $m).CmdletsToExport | Sort-Object
Import-Module $m
$exported = Get-Command -Module RunCommandHunt | ForEach-Object Name | Sort-Object
[pscustomobject]@{ Declared = $declared -join ','; Exported = $exported -join ','; Types = @(Get-Command -Module RunCommandHunt | ForEach-Object CommandType | Sort-Object -Unique) -join ',' }",
                new Dictionary<string, object?> { ["m"] = ModuleHost.Manifest });
            Assert.Null(r.Terminating);
            var o = r.Output.Single();
            Assert.NotEqual("", o.Properties["Declared"].Value);
            Assert.Equal(o.Properties["Declared"].Value, o.Properties["Exported"].Value);
            Assert.Equal("Cmdlet", o.Properties["Types"].Value);
        }

        [Fact]
        public void Manifest_WhenFileListRead_ShouldNameFilesThatTheBuildAssembled()
        {
            var r = _bare.Run("(Import-PowerShellDataFile $m).FileList", new Dictionary<string, object?> { ["m"] = ModuleHost.Manifest });
            var files = r.Output.Select(o => o.ToString()).ToList();
            Assert.Contains("en-US/RunCommandHunt.dll-Help.xml", files);
            Assert.Contains("RunCommandHunt.Types.ps1xml", files);
            Assert.All(files, f => Assert.True(File.Exists(Path.Combine(ModuleHost.ModuleDir, f)), $"FileList names {f}, which the module folder lacks"));
        }

        [Fact]
        public void Manifest_WhenImported_ShouldLoadTheTypesAndFormatFiles()
        {
            var r = _bare.Run(@"Import-Module $m
[pscustomobject]@{
    Members = @((Get-TypeData RunCommandHunt.RunCommandScriptExecution).Members.Keys) -join ','
    Views   = @(Get-FormatData RunCommandHunt.* | ForEach-Object { $t = $_.TypeNames[0]; $_.FormatViewDefinition | ForEach-Object { ""$t/$($_.Control.GetType().Name)"" } } | Sort-Object) -join ','
}", new Dictionary<string, object?> { ["m"] = ModuleHost.Manifest });
            Assert.Null(r.Terminating);
            var o = r.Output.Single();
            Assert.Contains("PowershellScriptCommandsJson", o.Properties["Members"].Value.ToString());
            var views = o.Properties["Views"].Value.ToString()!.Split(',');
            foreach (var type in new[] { "RunCommandOperation", "RunCommandScriptExecution", "UniqueRunCommandScript" })
            {
                Assert.Contains($"RunCommandHunt.{type}/TableControl", views);
                Assert.Contains($"RunCommandHunt.{type}/ListControl", views);
            }
        }
    }
}
