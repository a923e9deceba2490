using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace RunCommandHunt.Module.Tests
{
    /// <summary>The bundled samples against the generator's truth: the default hunt finds exactly what happened.</summary>
    public sealed class SamplesTests : System.IDisposable
    {
        private readonly ModuleHost _host = new ModuleHost();
        private readonly JsonElement _truth;

        public SamplesTests()
        {
            _truth = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModuleHost.Samples, "truth.json"))).RootElement;
        }

        public void Dispose() => _host.Dispose();

        private List<Obj> Run(string script, string folder)
        {
            var r = _host.Run(script, new Dictionary<string, object?> { ["d"] = folder });
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            return r.Output.Select(o => new Obj(o)).ToList();
        }

        private IEnumerable<JsonElement> TrueExecutions() => _truth.GetProperty("runCommands").EnumerateArray()
            .Where(rc => rc.GetProperty("succeeded").GetBoolean() && rc.GetProperty("wroteScript").GetBoolean());

        [Theory]
        [InlineData("")]
        [InlineData("jsonl")]
        public void DefaultHunt_WhenSamples_ShouldReturnExactlyTheTrueExecutions(string sub)
        {
            var folder = Path.Combine(ModuleHost.Samples, sub);
            var xs = Run("Get-RunCommandOperation -Path $d | Get-RunCommandScriptExecution -Path $d", folder);
            var expected = TrueExecutions()
                .Select(t => (t.GetProperty("correlationId").GetString(), string.Join("|", t.GetProperty("commands").EnumerateArray().Select(c => c.GetString())), t.GetProperty("scriptFingerprintHash").GetString()))
                .OrderBy(t => t.Item1).ToList();
            var actual = xs
                .Select(x => ((string?)x.CorrelationId, string.Join("|", x.PowershellScriptCommands), (string?)x.ScriptFingerprintHash))
                .OrderBy(t => t.Item1).ToList();
            Assert.Equal(expected, actual);
        }

        [Theory]
        [InlineData("")]
        [InlineData("jsonl")]
        public void DefaultHunt_WhenSamples_ShouldFindExactlyTheTrulyUniqueScripts(string sub)
        {
            var folder = Path.Combine(ModuleHost.Samples, sub);
            var found = Run("Get-RunCommandOperation -Path $d | Get-RunCommandScriptExecution -Path $d | Find-UniqueRunCommandScript", folder);
            var expected = _truth.GetProperty("uniqueScripts").EnumerateArray()
                .Select(u => (u.GetProperty("correlationId").GetString(), u.GetProperty("scriptFingerprintHash").GetString())).OrderBy(t => t.Item1).ToList();
            Assert.Equal(expected, found.Select(u => ((string?)u.CorrelationId, (string?)u.ScriptFingerprintHash)).OrderBy(t => t.Item1).ToList());
        }

        [Fact]
        public void DefaultHunt_WhenSizeFingerprint_ShouldFindTheTruthsUniqueWithSize()
        {
            var found = Run("Get-RunCommandOperation -Path $d | Get-RunCommandScriptExecution -Path $d | Find-UniqueRunCommandScript -Fingerprint CommandsAndSize", ModuleHost.Samples);
            Assert.Equal(_truth.GetProperty("summary").GetProperty("uniqueScriptsWithSize").GetInt32(), found.Count);
        }

        [Fact]
        public void FailedAttempts_WhenIncludeFailed_ShouldMatchTheTruthsFailures()
        {
            var ops = Run("Get-RunCommandOperation -Path $d -IncludeFailed | Where-Object Status -ne 'Succeeded'", ModuleHost.Samples);
            var expected = _truth.GetProperty("runCommands").EnumerateArray().Where(rc => !rc.GetProperty("succeeded").GetBoolean())
                .Select(rc => rc.GetProperty("correlationId").GetString()).OrderBy(s => s).ToList();
            Assert.Equal(expected, ops.Select(o => (string?)o.CorrelationId).OrderBy(s => s).ToList());
            Assert.All(ops, o => Assert.Equal("Failed", o.Status));
        }
    }
}
