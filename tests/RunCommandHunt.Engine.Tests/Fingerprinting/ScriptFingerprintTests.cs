using System;
using RunCommandHunt.Engine.Fingerprinting;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Fingerprinting
{
    public class ScriptFingerprintTests
    {
        [Theory]
        [InlineData(new[] { "GET-PROCESS" }, "b232f29ea51fa3f7860b945fc37329a216f20febac730e4c6e26c55244c4b9eb")]
        [InlineData(new[] { "GET-PROCESS", "WRITE-OUTPUT" }, "05c3ab7a05dc1a8dab7dce6d8d655de3a9ebf54a313d9c839720d3f7ea31c369")]
        [InlineData(new string[0], "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945")]
        public void Compute_WhenSentinelVectors_ShouldMatch(string[] commands, string expected)
        {
            Assert.Equal(expected, ScriptFingerprint.Compute(commands, null, FingerprintKind.Commands, normalize: false));
        }

        [Fact]
        public void Compute_WhenNormalized_ShouldIgnoreOrderAndCase()
        {
            Assert.Equal("05c3ab7a05dc1a8dab7dce6d8d655de3a9ebf54a313d9c839720d3f7ea31c369",
                ScriptFingerprint.Compute(new[] { "write-output", "Get-Process" }, 12, FingerprintKind.Commands, normalize: true));
        }

        [Fact]
        public void Compute_WhenCommandsAndSize_ShouldHashTheRulesTempFingerprintString()
        {
            // strcat(PowershellScriptCommands, PowershellFileSize): the JSON text followed by the size.
            Assert.Equal(ScriptFingerprint.Sha256Hex("[\"GET-PROCESS\"]480"),
                ScriptFingerprint.Compute(new[] { "GET-PROCESS" }, 480, FingerprintKind.CommandsAndSize, normalize: false));
            Assert.NotEqual(ScriptFingerprint.Compute(new[] { "GET-PROCESS" }, 480, FingerprintKind.CommandsAndSize, false),
                ScriptFingerprint.Compute(new[] { "GET-PROCESS" }, 481, FingerprintKind.CommandsAndSize, false));
        }

        [Fact]
        public void ToKustoJson_WhenEscapesAndNonAscii_ShouldWriteKustoText()
        {
            Assert.Equal("[\"C:\\\\temp\\\\a.ps1\"]", ScriptFingerprint.ToKustoJson(new[] { "C:\\temp\\a.ps1" }));
            Assert.Equal("90e4249a310d8a5f805c1077882628f029fd13bbfd7b661056644d170c52a834",
                ScriptFingerprint.Sha256Hex(ScriptFingerprint.ToKustoJson(new[] { "C:\\temp\\a.ps1" })));
            Assert.Equal("[\"艺术\",\"a\\\"b\",\"x\\ny\\u0001\"]", ScriptFingerprint.ToKustoJson(new[] { "艺术", "a\"b", "x\ny\u0001" }));
        }

        [Fact]
        public void Find_WhenFanOutRows_ShouldCountEveryRowInTotals()
        {
            var x1 = new RunCommandScriptExecution { PowershellScriptCommands = new[] { "A" }, Caller = "a@b.c" };
            var x2 = new RunCommandScriptExecution { PowershellScriptCommands = new[] { "B" } };
            var x3 = new RunCommandScriptExecution { PowershellScriptCommands = new[] { "B" } };
            var u = Assert.Single(UniqueScriptFinder.Find(new[] { x1, x2, x3 }, CompatibilityMode.AnalyticRule));
            Assert.Equal(1.0 / 3.0 * 100, u.Prevalence);
            Assert.Equal(33.33333333333333, u.Prevalence);
            Assert.Equal("a", u.CallerName);
            Assert.Equal("b.c", u.CallerUPNSuffix);
            Assert.Throws<ArgumentOutOfRangeException>(() => { foreach (var _ in UniqueScriptFinder.Find(new[] { x1 }, CompatibilityMode.None, maximumCount: 0)) { } });
        }
    }
}
