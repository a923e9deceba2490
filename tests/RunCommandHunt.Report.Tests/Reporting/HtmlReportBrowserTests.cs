using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RunCommandHunt.Engine.Reporting;
using Xunit;
using Xunit.Abstractions;
using static RunCommandHunt.Engine.Tests.Reporting.ReportSamples;

namespace RunCommandHunt.Report.Tests.Reporting
{
    /// <summary>The HTML report as headless Chromium renders it.</summary>
    public sealed class HtmlReportBrowserTests : IDisposable
    {
        // Each would mark the page (data-pwned) or add an element if the browser ever treated it as markup.
        private const string ScriptCommand = "<script>document.documentElement.setAttribute('data-pwned','script')</script>";
        private const string ImgCommand = "\"><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">";
        private const string HostileVm = "vm-<u>evil</u>";
        private const string HostileCaller = "x' onmouseover='alert(1)@contoso.com";
        private const string HostileIp = "10.0.0.1<iframe src=about:blank></iframe>";
        private const string HostileFile = "script9.ps1<svg onload=alert(1)>";
        private const string HostileScope = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/</script><!--";

        private static readonly HashSet<string> Allowed = new HashSet<string>
        {
            "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "ul", "ol", "li", "b", "strong",
            "main", "section", "article", "span", "dl", "dt", "dd", "div", "code", "a", "input", "label", "table", "thead",
            "tbody", "tr", "th", "td", "br", "script",
        };

        private readonly ITestOutputHelper _out;
        private readonly string _dir = Directory.CreateTempSubdirectory("rch-report-").FullName;

        public HtmlReportBrowserTests(ITestOutputHelper output) { _out = output; }

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private static string RequireChromium() => Chromium.Locate() ?? throw new Xunit.Sdk.XunitException(Chromium.InstallHint);

        private static (HtmlReportInput Input, int Rows, int Findings, int Failed) Input()
        {
            var (ops, execs) = Day();
            var op = Op(HostileVm, HostileCaller, HostileIp, "Succeeded", 400);
            op.Scope = HostileScope;
            ops.Add(op);
            var x = Exec(op, HostileFile, 66, ScriptCommand, ImgCommand, "Get-Item -Path 'C:\\a&b'");
            execs.Add(x);
            var findings = Findings(execs);
            var input = new HtmlReportInput
            {
                Title = "Run Command hunt <b>2024-05-01</b>",
                Operations = ops,
                Executions = execs,
                Findings = findings,
                Warnings = new[] { "AzureActivity query may be truncated <script>x</script>" },
                GeneratedAt = new DateTime(2024, 5, 2, 0, 0, 0, DateTimeKind.Utc),
                QueryStartTime = T0.Date,
                QueryEndTime = T0.Date.AddDays(1),
            };
            return (input, ops.Count + execs.Count, findings.Length, ops.Count(o => o.Status != "Succeeded"));
        }

        [Fact]
        public void DumpDom_WhenHostileEvidence_ShouldShowItAsTextWithNoInjectedElementAndEveryTimelineRow()
        {
            var chromium = RequireChromium();
            var (input, rows, findings, failed) = Input();
            Assert.Equal(3, findings);
            var path = Path.Combine(_dir, "report.html");
            HtmlReport.Write(path, input);

            var dom = DomSnapshot.Parse(Chromium.DumpDom(chromium, path));

            // The page's own script ran (so the CSP hash is right) and nothing else did.
            var root = Assert.Single(dom.Elements, e => e.Name == "html");
            Assert.Equal("true", root.Attr("data-ready"));
            Assert.DoesNotContain(dom.Elements, e => e.Attributes.ContainsKey("data-pwned"));
            Assert.DoesNotContain(dom.Elements, e => e.Attributes.Keys.Any(k => k.StartsWith("on", StringComparison.OrdinalIgnoreCase)));
            Assert.Empty(dom.Elements.Select(e => e.Name).Where(n => !Allowed.Contains(n)).Distinct());
            Assert.Single(dom.Elements, e => e.Name == "script");

            // Hostile values are there, as text.
            foreach (var s in new[] { ScriptCommand, ImgCommand, HostileVm, HostileCaller, HostileIp, HostileFile, HostileScope, "Run Command hunt <b>2024-05-01</b>" })
                Assert.Contains(dom.TextNodes, t => t.Contains(s, StringComparison.Ordinal));

            // Findings: one card each, with fingerprint and commands.
            Assert.Equal(findings, dom.Elements.Count(e => e.Name == "article" && e.HasClass("finding-card")));
            foreach (var f in input.Findings)
            {
                Assert.Contains(dom.TextNodes, t => t.Contains(f.ScriptFingerprintHash, StringComparison.Ordinal));
                foreach (var c in f.PowershellScriptCommands) Assert.Contains(c, dom.TextNodes);
            }

            // Timeline: every operation and script run, findings and failures marked, three machines.
            var trs = dom.Elements.Where(e => e.Name == "tr" && e.HasClass("ev")).ToList();
            Assert.Equal(rows, trs.Count);
            Assert.Equal(findings, trs.Count(e => e.HasClass("finding")));
            Assert.Equal(failed, trs.Count(e => e.HasClass("failed")));
            Assert.All(trs, e => Assert.False(e.Attributes.ContainsKey("hidden")));
            Assert.Equal(3, dom.Elements.Count(e => e.Name == "section" && e.HasClass("vm")));
            Assert.Contains($"{rows} of {rows} timeline rows shown", dom.TextNodes);
        }

        [Fact]
        public void Screenshot_WhenRendered_ShouldProduceAnImage()
        {
            var chromium = RequireChromium();
            var path = Path.Combine(_dir, "report.html");
            HtmlReport.Write(path, Input().Input);
            var png = Path.Combine(_dir, "report.png");

            Chromium.Screenshot(chromium, path, png);

            var bytes = File.ReadAllBytes(png);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes.Take(4));
            // A blank page compresses to a few KB; the rendered report is far larger.
            Assert.True(bytes.Length > 20_000, $"screenshot only {bytes.Length} bytes");
            var keep = Environment.GetEnvironmentVariable("RUNCOMMANDHUNT_REPORT_ARTIFACTS");
            if (!string.IsNullOrEmpty(keep))
            {
                Directory.CreateDirectory(keep);
                File.Copy(png, Path.Combine(keep, "report.png"), true);
                File.Copy(path, Path.Combine(keep, "report.html"), true);
                _out.WriteLine("kept " + Path.Combine(keep, "report.png"));
            }
        }
    }
}
