using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using RunCommandHunt.Engine.Reporting;
using Xunit;
using static RunCommandHunt.Engine.Tests.Reporting.ReportSamples;

namespace RunCommandHunt.Engine.Tests.Reporting
{
    /// <summary>The markup itself; RunCommandHunt.Report.Tests checks what a real browser makes of it.</summary>
    public class HtmlReportTests
    {
        private const string ScriptPayload = "<script>document.title='pwned'</script>";
        private const string ImgPayload = "\"><img src=x onerror=alert(1)>";

        private static HtmlReportInput HostileInput()
        {
            var op = Op("vm-<u>evil</u>", "x' onmouseover='alert(1)@contoso.com", "10.0.0.1<iframe>", "Succeeded", 0);
            op.Scope = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/</script><!--";
            var x = Exec(op, "script1.ps1" + ImgPayload, 9, ScriptPayload, ImgPayload, "&amp; raw");
            return new HtmlReportInput
            {
                Title = "Hunt <b>title</b>",
                Operations = new[] { op },
                Executions = new[] { x },
                Findings = Findings(new[] { x }),
                Warnings = new[] { "warning <script>x</script>" },
            };
        }

        [Fact]
        public void Render_WhenValuesAreHostile_ShouldEscapeEveryOne()
        {
            var html = HtmlReport.Render(HostileInput());

            // Exactly one script element: the report's own.
            Assert.Single(Regex.Matches(html, "<script", RegexOptions.IgnoreCase));
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<u>", html);
            Assert.DoesNotContain("<!--", html);
            Assert.DoesNotContain("onmouseover='", html);
            Assert.Contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;", html);
            Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", html);
            Assert.Contains("&amp;amp; raw", html);
            Assert.Contains("&lt;/script&gt;&lt;!--", html);
        }

        [Fact]
        public void Render_ShouldAllowOnlyItsOwnInlineScriptByHash()
        {
            var html = HtmlReport.Render(HostileInput());
            var script = Regex.Match(html, "<script>(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
            Assert.NotEmpty(script);
            var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(script)));
            var csp = Regex.Match(html, "http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\"").Groups[1].Value;
            Assert.Contains("default-src 'none'", csp);
            Assert.Contains("script-src 'sha256-" + hash + "'", csp);
            Assert.DoesNotContain("innerHTML", script);
            Assert.DoesNotContain("http", html.Replace("http-equiv", ""), StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void Render_WhenDay_ShouldListEveryEventPerMachineAndHighlightFindings()
        {
            var (ops, execs) = Day();
            var findings = Findings(execs);
            var html = HtmlReport.Render(new HtmlReportInput { Operations = ops, Executions = execs, Findings = findings });

            Assert.Equal(ops.Count + execs.Count, Regex.Matches(html, "<tr class=\"ev ").Count);
            Assert.Equal(findings.Length, Regex.Matches(html, "<tr class=\"ev [^\"]*\\bfinding\\b").Count);
            Assert.Equal(2, Regex.Matches(html, "<tr class=\"ev [^\"]*\\bfailed\\b").Count);
            Assert.Equal(findings.Length, Regex.Matches(html, "<article class=\"finding-card\"").Count);
            Assert.Equal(2, Regex.Matches(html, "<section class=\"vm\">").Count);
            foreach (var f in findings)
            {
                Assert.Contains(f.ScriptFingerprintHash, html);
                foreach (var c in f.PowershellScriptCommands) Assert.Contains("<li><code>" + c + "</code></li>", html);
            }
        }

        [Fact]
        public void Render_WhenAFindingHasNoScriptRun_ShouldStillPutItOnTheTimeline()
        {
            var (ops, execs) = Day();
            var findings = Findings(execs);
            var html = HtmlReport.Render(new HtmlReportInput { Operations = ops, Findings = findings });

            Assert.Equal(ops.Count + findings.Length, Regex.Matches(html, "<tr class=\"ev ").Count);
            Assert.Equal(findings.Length, Regex.Matches(html, "<tr class=\"ev script finding\"").Count);
        }

        [Fact]
        public void Write_WhenCalled_ShouldWriteUtf8WithoutBomAtomically()
        {
            var dir = Directory.CreateTempSubdirectory("rch-html-").FullName;
            try
            {
                var path = Path.Combine(dir, "report.html");
                File.WriteAllText(path, "old");
                HtmlReport.Write(path, HostileInput());
                var bytes = File.ReadAllBytes(path);
                Assert.NotEqual(0xEF, bytes[0]);
                Assert.StartsWith("<!DOCTYPE html>", Encoding.UTF8.GetString(bytes));
                Assert.Single(Directory.GetFiles(dir));
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
