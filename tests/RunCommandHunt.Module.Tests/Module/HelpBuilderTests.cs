using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace RunCommandHunt.Module.Tests.Module
{
    /// <summary>
    /// tools/RunCommandHunt.HelpBuilder run as the build runs it, on small doc folders: what it writes, and how it
    /// names a problem in a page.
    /// </summary>
    public sealed class HelpBuilderTests : IDisposable
    {
        private readonly TempDir _docs = new TempDir();
        private readonly TempDir _out = new TempDir();

        public void Dispose() { _docs.Dispose(); _out.Dispose(); }

        private const string Page = @"# Get-Thing

## SYNOPSIS
Gets a thing.

## SYNTAX

### __AllParameterSets
```
Get-Thing [-Path] <String[]> [-Force] [<CommonParameters>]
```

## DESCRIPTION
Gets the thing at a path.

## EXAMPLES

### Example 1: One path
```powershell
PS> Get-Thing -Path a
```

Gets a.

### Example 2: Two paths
```powershell
PS> Get-Thing a, b
```

Gets a and b.

## PARAMETERS

### -Path
Where the thing is.

```yaml
Type: String[]
Parameter Sets: (All)
Aliases:

Required: True
Position: 0
Default value: None
Accept pipeline input: False
Accept wildcard characters: True
```

### -Force
Even when it is hidden.

```yaml
Type: SwitchParameter
Parameter Sets: (All)
Aliases:

Required: False
Position: Named
Default value: False
Accept pipeline input: False
Accept wildcard characters: False
```

## INPUTS

### None

## OUTPUTS

### System.Object
The thing.

## NOTES

## RELATED LINKS

- [about_Things](https://example.com/about_Things)
";

        private const string About = "# about_Things\n\n## SHORT DESCRIPTION\nThings.\n\n## LONG DESCRIPTION\nMore about things.\n";

        private (int ExitCode, string Stdout, string Stderr) Build(string page, string? manifest = null)
        {
            Directory.CreateDirectory(Path.Combine(_docs.Path, "cmdlets"));
            var pagePath = Path.Combine(_docs.Path, "cmdlets", "Get-Thing.md");
            File.WriteAllText(pagePath, page);
            File.WriteAllText(Path.Combine(_docs.Path, "about_Things.md"), About);
            var psi = new ProcessStartInfo(Environment.ProcessPath != null && Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { BuilderPath(), "--docs", _docs.Path, "--out", _out.Path, "--assembly", "Things.dll" }) psi.ArgumentList.Add(a);
            if (manifest != null)
            {
                var m = _docs.Write("Things.psd1", manifest);
                psi.ArgumentList.Add("--manifest");
                psi.ArgumentList.Add(m);
            }
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(60_000), "HelpBuilder did not finish in a minute");
            return (p.ExitCode, stdout, stderr.Result);
        }

        /// <summary>The builder the module build ran: beside this test assembly's output, in either build layout.</summary>
        private static string BuilderPath()
        {
            var here = Path.GetDirectoryName(typeof(HelpBuilderTests).Assembly.Location)!;
            var config = new DirectoryInfo(here);
            var candidates = new[]
            {
                // --artifacts-path: <artifacts>/bin/<Project>/<config>/
                Path.Combine(config.Parent!.Parent!.FullName, "RunCommandHunt.HelpBuilder", config.Name, "RunCommandHunt.HelpBuilder.dll"),
                // default layout: <project>/bin/<Config>/<tfm>/
                Path.Combine(ModuleHost.RepoRoot, "tools", "RunCommandHunt.HelpBuilder", "bin", config.Parent!.Name, config.Name, "RunCommandHunt.HelpBuilder.dll"),
            };
            var found = candidates.FirstOrDefault(File.Exists);
            Assert.True(found != null, "RunCommandHunt.HelpBuilder.dll not found at " + string.Join(" or ", candidates));
            return found!;
        }

        [Fact]
        public void HelpBuilder_WhenPagesAreValid_ShouldWriteMamlWithTypesPositionsAndExamples()
        {
            var r = Build(Page);
            Assert.True(r.ExitCode == 0, r.Stderr);
            var maml = XDocument.Load(Path.Combine(_out.Path, "Things.dll-Help.xml"));
            XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10", maml2 = "http://schemas.microsoft.com/maml/2004/10", dev = "http://schemas.microsoft.com/maml/dev/2004/10";
            var cmd = Assert.Single(maml.Root!.Elements(command + "command"));
            Assert.Equal("Get-Thing", cmd.Element(command + "details")!.Element(command + "name")!.Value);
            var path = cmd.Element(command + "parameters")!.Elements(command + "parameter").First(p => p.Element(maml2 + "name")!.Value == "Path");
            Assert.Equal("true", path.Attribute("required")!.Value);
            Assert.Equal("0", path.Attribute("position")!.Value);
            Assert.Equal("true", path.Attribute("globbing")!.Value);
            Assert.Equal("String[]", path.Element(dev + "type")!.Element(maml2 + "name")!.Value);
            var force = cmd.Descendants(command + "syntaxItem").Single().Elements(command + "parameter").First(p => p.Element(maml2 + "name")!.Value == "Force");
            Assert.Null(force.Element(command + "parameterValue")); // a switch takes no value
            Assert.Equal(new[] { "PS> Get-Thing -Path a", "PS> Get-Thing a, b" }, cmd.Descendants(dev + "code").Select(c => c.Value));
            Assert.StartsWith("TOPIC\n    about_Things\n\nSHORT DESCRIPTION\n    Things.", File.ReadAllText(Path.Combine(_out.Path, "about_Things.help.txt")));
        }

        [Fact]
        public void HelpBuilder_WhenAYamlValueIsWrong_ShouldNameFileLineColumnAndValue()
        {
            var r = Build(Page.Replace("Required: True", "Required: yes"));
            Assert.Equal(1, r.ExitCode);
            var page = Path.Combine(_docs.Path, "cmdlets", "Get-Thing.md");
            int line = Page.Split('\n').ToList().FindIndex(l => l.StartsWith("Required: True")) + 1;
            Assert.Contains($"{page}({line},11): error RCHHELP: -Path: Required is True or False (found: 'yes')", r.Stderr);
            Assert.False(File.Exists(Path.Combine(_out.Path, "Things.dll-Help.xml")));
        }

        [Fact]
        public void HelpBuilder_WhenTheSyntaxLineLacksAParameter_ShouldSayWhichAndWhere()
        {
            var r = Build(Page.Replace("Get-Thing [-Path] <String[]> [-Force] [<CommonParameters>]", "Get-Thing [-Path] <String[]> [<CommonParameters>]"));
            Assert.Equal(1, r.ExitCode);
            int line = Page.Split('\n').ToList().FindIndex(l => l.StartsWith("Get-Thing [-Path]")) + 1;
            Assert.Contains($"Get-Thing.md({line},1): error RCHHELP: parameter set __AllParameterSets: the syntax line lacks -Force", r.Stderr);
        }

        [Fact]
        public void HelpBuilder_WhenAPageHasOneExample_ShouldFail()
        {
            var oneExample = Page.Substring(0, Page.IndexOf("### Example 2", StringComparison.Ordinal)) + Page.Substring(Page.IndexOf("## PARAMETERS", StringComparison.Ordinal));
            var r = Build(oneExample);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("error RCHHELP: EXAMPLES has 1 example(s); at least 2 are required", r.Stderr);
        }

        [Fact]
        public void HelpBuilder_WhenAnExportedCmdletHasNoPage_ShouldWarnAtItsManifestLineAndStillWrite()
        {
            var r = Build(Page, "@{\n    CmdletsToExport = @(\n        'Get-Thing'\n        'Set-Thing'\n    )\n}\n");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("Things.psd1(4,9): warning RCHHELP: cmdlet Set-Thing is exported but has no help page", r.Stdout);
            Assert.True(File.Exists(Path.Combine(_out.Path, "Things.dll-Help.xml")));
        }
    }
}
