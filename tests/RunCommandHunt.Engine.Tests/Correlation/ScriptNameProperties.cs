using System.Text.RegularExpressions;
using CsCheck;
using RunCommandHunt.Engine.Correlation;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Correlation
{
    /// <summary>
    /// The -File scanners against the regexes they replaced: the same script name on any command line, including those
    /// built to trip a hand-written scanner (unclosed and empty quotes, -File at the end, Unicode spaces, letters that
    /// fold to 'i' or 'k' in other cultures, several -File arguments).
    /// </summary>
    public class ScriptNameProperties
    {
        private static readonly Regex Reference = new Regex(
            @"-File\s+(?:""(?<p>[^""]+)""|'(?<p>[^']+)'|(?<p>[^\s""']+))",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        private static string ByRegex(string commandLine)
        {
            var m = Reference.Match(commandLine);
            if (!m.Success) return "";
            var p = m.Groups["p"].Value;
            int cut = System.Math.Max(p.LastIndexOf('\\'), p.LastIndexOf('/'));
            return cut >= 0 ? p.Substring(cut + 1) : p;
        }

        private static readonly string[] Pieces =
        {
            "-File", "-file", "-FILE", "-fıle", "-FİLE", "-Fil", "--File", "-Filex", " ", "  ", "\t", "\u00a0", "\u2028", "\n",
            "\"", "'", "\\", "/", "C:", "script1.ps1", "a b", "x", "powershell.exe", "-ExecutionPolicy", "Bypass", "-Command",
            "\u212a", "é", "-",
        };

        /// <summary>A -File argument as scanners get it wrong: the switch in any spelling, no, one or several
        /// spaces of any kind, a quote that may not close, a path with either slash.</summary>
        private static readonly Gen<string> FileArgument = Gen.Select(
            Gen.OneOfConst("-File", "-file", "-FILE", "-fıle", "-FİLE", "-Fil", "--File", "-Filex"),
            Gen.OneOfConst("", " ", "  ", "\t", "\u00a0", "\u2028", "\n"),
            Gen.OneOfConst("", "\"", "'"),
            Gen.OneOfConst("", "C:\\a\\", "/tmp/", "a b/", "\\"),
            Gen.OneOfConst("script1.ps1", "x", "", "Run Me.ps1", "-File y.ps1"),
            Gen.OneOfConst("", "\"", "'"),
            Gen.OneOfConst("", " ", " -x", "\"", "'z'"),
            (sw, space, open, dir, name, close, tail) => sw + space + open + dir + name + close + tail);

        private static Gen<string> Lines(Gen<string> argument) =>
            Gen.Select(Gen.OneOfConst("powershell.exe ", "pwsh -NoProfile ", "", "-"), argument.Array[0, 3],
                (head, args) => head + string.Join(" ", args));

        [Fact]
        public void TheScannerFindsWhatTheRegexFinds()
        {
            Lines(FileArgument).Sample(line => Assert.Equal(ByRegex(line), DefaultCorrelator.PowerShellScriptName(line)), iter: 20000);
            Gen.Int[0, Pieces.Length - 1].Array[0, 14]
                .Select(ix => string.Concat(System.Array.ConvertAll(ix, i => Pieces[i])))
                .Sample(line => Assert.Equal(ByRegex(line), DefaultCorrelator.PowerShellScriptName(line)), iter: 5000);
        }

        private static readonly Regex SeedReference = new Regex(@"\-File\s(script[0-9]{1,9}\.ps1)", RegexOptions.CultureInvariant);

        /// <summary>The seeds' pattern taken apart: each piece right or nearly right (digits run 0 to 11 long, some
        /// of them digits of another script).</summary>
        private static readonly Gen<string> SeedArgument = Gen.Select(
            Gen.OneOfConst("-File", "-file", "-Fil", "x-File"),
            Gen.OneOfConst("", " ", "  ", "\t", "\u00a0"),
            Gen.OneOfConst("script", "Script", "scrip", ""),
            Gen.OneOfConst('0', '1', '9', '٣').Array[0, 11],
            Gen.OneOfConst(".ps1", ".PS1", ".ps", "", ".ps1x"),
            (sw, space, word, digits, ext) => sw + space + word + new string(digits) + ext);

        [Fact]
        public void TheSeedScannerExtractsWhatTheSeedsRegexExtracts()
        {
            Lines(SeedArgument).Sample(line =>
            {
                var m = SeedReference.Match(line);
                Assert.Equal(m.Success ? m.Groups[1].Value : "", KustoSemantics.ExtractSeedScriptName(line));
            }, iter: 20000);
        }

        [Fact]
        public void ASeedScriptNameIsExactlyWhatTheSeedsCanExtract()
        {
            // The rule's file side keeps only these names (its join key): the test is that no other name can be extracted.
            Gen.Select(Gen.OneOfConst("script", "Script", "scrip", "", "xscript"), Gen.OneOfConst('0', '1', '9', '٣').Array[0, 11],
                    Gen.OneOfConst(".ps1", ".PS1", ".ps", "", ".ps1x"), (w, d, e) => w + new string(d) + e)
                .Sample(name =>
                {
                    var extracted = KustoSemantics.ExtractSeedScriptName("-File " + name);
                    Assert.Equal(extracted.Length > 0 && extracted == name, KustoSemantics.IsSeedScriptName(name));
                }, iter: 5000);
        }

        [Theory]
        [InlineData("powershell -File script1.ps1", "script1.ps1")]
        [InlineData("powershell -File script123456789.ps1", "script123456789.ps1")]
        [InlineData("powershell -File script1234567890.ps1", "")]
        [InlineData("powershell -File  script1.ps1", "")]
        [InlineData("powershell -file script1.ps1", "")]
        [InlineData("powershell -File script.ps1 -File script7.ps1x", "script7.ps1")]
        [InlineData("powershell -File", "")]
        public void SeedExamples(string commandLine, string expected) =>
            Assert.Equal(expected, KustoSemantics.ExtractSeedScriptName(commandLine));

        [Theory]
        [InlineData("powershell.exe -ExecutionPolicy Unrestricted -File script1.ps1", "script1.ps1")]
        [InlineData("powershell -File \"C:\\Packages\\Plugins\\Microsoft.CPlat.Core.RunCommandWindows\\1.1.18\\Downloads\\script12.ps1\" -x", "script12.ps1")]
        [InlineData("pwsh -file 'C:/a b/Run Me.ps1'", "Run Me.ps1")]
        [InlineData("powershell -File \"unclosed -File next.ps1", "next.ps1")]
        [InlineData("powershell -File \"\" -File x.ps1", "x.ps1")]
        [InlineData("powershell -File", "")]
        [InlineData("powershell -Filex a.ps1", "")]
        [InlineData("powershell -Command Get-Date", "")]
        public void Examples(string commandLine, string expected) =>
            Assert.Equal(expected, DefaultCorrelator.PowerShellScriptName(commandLine));
    }
}
