using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace RunCommandHunt.Module.Tests.Module
{
    /// <summary>Get-Help against the built module: the MAML and about topic the build generates from docs/.</summary>
    public sealed class HelpTests : IDisposable
    {
        private readonly ModuleHost _host = new ModuleHost();

        public void Dispose() => _host.Dispose();

        private List<string> ExportedCmdlets()
        {
            var r = _host.Run("@(Get-Command -Module RunCommandHunt -CommandType Cmdlet | ForEach-Object Name)");
            Assert.Null(r.Terminating);
            return r.Output.Select(o => o.ToString()).ToList();
        }

        [Fact]
        public void GetHelp_WhenAskedForEveryExportedCmdlet_ShouldShowSynopsisDescriptionEveryParameterAndExamples()
        {
            var cmdlets = ExportedCmdlets();
            Assert.NotEmpty(cmdlets);
            var problems = cmdlets.SelectMany(c => HelpCheck.Problems(_host, c)).ToList();
            Assert.True(problems.Count == 0, "Help problems:\n" + string.Join("\n", problems));
        }

        [Fact]
        public void HelpCheck_WhenCommandHasNoWrittenHelp_ShouldReportIt()
        {
            // The same check, on a command PowerShell can only generate help for.
            _host.Run("function Get-Undocumented { [CmdletBinding()] param([Parameter(Mandatory)][string[]] $Path, [switch] $Force) }");
            var problems = HelpCheck.Problems(_host, "Get-Undocumented");
            Assert.Contains(problems, p => p.Contains("synopsis"));
            Assert.Contains(problems, p => p.Contains("no description"));
            Assert.Contains(problems, p => p.Contains("example"));
        }

        [Fact]
        public void HelpCheck_WhenHelpDocumentsAParameterWrongly_ShouldReportIt()
        {
            // Comment-based help that misses -Force and calls nothing an example: the check must name both.
            _host.Run(@"function Get-HalfDocumented {
<#
.SYNOPSIS
Does a thing.
.DESCRIPTION
Does a thing well.
.PARAMETER Path
Where.
.EXAMPLE
Get-HalfDocumented -Path x
Runs it.
#>
[CmdletBinding()] param([string] $Path, [switch] $Force) }");
            var problems = HelpCheck.Problems(_host, "Get-HalfDocumented");
            Assert.Contains(problems, p => p.Contains("-Force") && p.Contains("description"));
            Assert.Contains(problems, p => p.Contains("1 example"));
        }

        [Fact]
        public void GetHelp_WhenCmdletHelpRead_ShouldComeFromTheModulesMamlFile()
        {
            var r = _host.Run("(Get-Command Get-RunCommandOperation).HelpFile; Test-Path (Join-Path (Get-Module RunCommandHunt).ModuleBase 'en-US/RunCommandHunt.dll-Help.xml')");
            Assert.Null(r.Terminating);
            Assert.Equal("RunCommandHunt.dll-Help.xml", Path.GetFileName(r.Output[0].ToString()));
            Assert.True((bool)r.Output[1].BaseObject);
        }

        [Fact]
        public void GetHelp_WhenParameterAsked_ShouldShowItsAcceptedValues()
        {
            var r = _host.Run("Get-Help Get-RunCommandOperation | Out-String -Width 250");
            var text = string.Concat(r.Output.Select(o => o.ToString()));
            // The syntax lists the enum's values from the MAML parameterValueGroup.
            Assert.Contains("-Compatibility {None | HuntingQuery | AnalyticRule}", text);
        }

        [Fact]
        public void GetHelp_WhenAboutTopicAsked_ShouldFindAboutRunCommandHunt()
        {
            var r = _host.Run("Get-Help about_RunCommandHunt | Out-String -Width 120");
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            var text = string.Concat(r.Output.Select(o => o.ToString()));
            Assert.Contains("about_RunCommandHunt", text);
            Assert.Contains("SHORT DESCRIPTION", text);
            foreach (var topic in new[] { "AzureRunCommandMDELinked", "5239248b", "-Compatibility", "HuntingQuery", "AnalyticRule", "ScriptFingerprintHash", "Windows PowerShell 5.1" })
                Assert.Contains(topic, text);
        }

        [Fact]
        public void GetHelp_WhenAboutTopicListed_ShouldBeOfferedByWildcard()
        {
            var r = _host.Run("@(Get-Help about_RunCommand* | ForEach-Object Name)");
            Assert.Contains(r.Output.Select(o => o.ToString()), n => n == "about_RunCommandHunt");
        }

        [Fact]
        public void Docs_WhenCmdletPagesListed_ShouldMatchTheExportedCmdlets()
        {
            // The build checks this too (HelpBuilder --manifest); here against what the module really exports.
            var pages = Directory.GetFiles(Path.Combine(ModuleHost.RepoRoot, "docs", "cmdlets"), "*.md").Select(Path.GetFileNameWithoutExtension).OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(ExportedCmdlets().OrderBy(n => n, StringComparer.Ordinal), pages);
        }

        [Fact]
        public void Examples_WhenTheyShowOutput_ShouldShowWhatTheModuleWrites()
        {
            // Example 1 of each page shows a table over the two-VM evidence; rerun it and compare the rows.
            using var dir = new TempDir();
            Evidence.WriteTwoVmCase(dir);
            var vars = new Dictionary<string, object?> { ["d"] = dir.Path };
            var pipelines = new Dictionary<string, string>
            {
                ["Get-RunCommandOperation"] = "Get-RunCommandOperation -Path $d",
                ["Get-RunCommandScriptExecution"] = "Get-RunCommandOperation -Path $d | Get-RunCommandScriptExecution -Path $d",
                ["Find-UniqueRunCommandScript"] = "Get-RunCommandOperation -Path $d | Get-RunCommandScriptExecution -Path $d | Find-UniqueRunCommandScript",
            };
            foreach (var (cmdlet, pipeline) in pipelines)
            {
                var page = File.ReadAllText(Path.Combine(ModuleHost.RepoRoot, "docs", "cmdlets", cmdlet + ".md"));
                var shown = Regex.Matches(page, @"^2024-05-01 \d\d:\d\d:\d\d .*$", RegexOptions.Multiline).Select(m => m.Value.TrimEnd()).ToList();
                Assert.NotEmpty(shown);
                var r = _host.Run(pipeline + " | Out-String -Width 150 -Stream", vars);
                Assert.Null(r.Terminating);
                var actual = r.Output.Select(o => o.ToString().TrimEnd()).Where(l => l.StartsWith("2024-05-01")).ToList();
                Assert.Equal(shown, actual);
            }
        }
    }
}
