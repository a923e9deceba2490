using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Readers;
using RunCommandHunt.Engine.Tests.Readers;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Hostile
{
    /// <summary>
    /// Every bad file of the corpus, read on its own and hunted in a folder with good files of the other tables, in the
    /// three behaviours: the expected result or an EvidenceException naming the file (and line), never another exception,
    /// never a hang, and read = used + filtered + rejected.
    /// </summary>
    public class HostileCorpusTests
    {
        private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
        private static readonly string[] Modes = { "None", "HuntingQuery", "AnalyticRule" };

        public static IEnumerable<object[]> Cases() =>
            HostileCorpus.Cases.Where(c => c.Generate?.As != HostileCorpus.PermissionCase).Select(c => new object[] { c.Name });

        public static IEnumerable<object[]> CasesInEveryMode() =>
            Cases().SelectMany(c => Modes.Select(m => new object[] { c[0], m }));

        [Theory]
        [MemberData(nameof(Cases))]
        public void Read_WhenHostileFileNamedOnItsOwn_ShouldGiveItsRowsOrAnErrorNamingIt(string name)
        {
            var c = HostileCorpus.Case(name);
            using var dir = new TempDir();
            string path = HostileCorpus.Materialize(c, dir.Path, withGoodFiles: false);
            EngineHunt.Within(Limit, () => { CheckExplicit(c, path); return true; }, name);
        }

        [Theory]
        [MemberData(nameof(CasesInEveryMode))]
        public void Hunt_WhenFolderHoldsHostileFile_ShouldGiveTheExpectedResultOrAnErrorNamingIt(string name, string mode)
        {
            var c = HostileCorpus.Case(name);
            using var dir = new TempDir();
            string path = HostileCorpus.Materialize(c, dir.Path, withGoodFiles: true);
            var hunt = EngineHunt.Within(Limit, () => EngineHunt.Run(new[] { dir.Path }, Enum.Parse<CompatibilityMode>(mode)), $"{name} ({mode})");
            CheckFolder(c, path, mode, hunt);
        }

        /// <summary>Mode 000 cannot be tested as root (permission checks do not apply) or on Windows; it is skipped there.</summary>
        [PermissionsApplyFact]
        public void Read_WhenFileCannotBeOpened_ShouldRefuseItNamingItAndSkipItInAFolder()
        {
            var c = HostileCorpus.Cases.Single(x => x.Generate?.As == HostileCorpus.PermissionCase);
            using var dir = new TempDir();
            string path = HostileCorpus.Materialize(c, dir.Path, withGoodFiles: true);
            try
            {
                CheckExplicit(c, path);
                foreach (var mode in Modes) CheckFolder(c, path, mode, EngineHunt.Run(new[] { dir.Path }, Enum.Parse<CompatibilityMode>(mode)));
            }
            finally
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        [Fact]
        public void Corpus_WhenLoaded_ShouldHaveAFileAndAnOutcomeForEveryCase()
        {
            Assert.True(HostileCorpus.Cases.Count >= 35);
            foreach (var c in HostileCorpus.Cases)
            {
                Assert.Contains(c.Table, HostileCorpus.Tables);
                Assert.False(string.IsNullOrWhiteSpace(c.Why), c.Name);
                if (c.Generate == null) Assert.True(File.Exists(Path.Combine(HostileCorpus.Dir, c.Name)), c.Name);
                Assert.Contains(c.Folder, new[] { "read", "error", "skipped" });
                // A file that is read must say how many rows; one that is refused must say why.
                Assert.True(c.Folder != "read" || c.Read != null || c.Explicit?.Files != null, c.Name);
                Assert.True(c.Folder == "read" || c.Explicit?.Error != null, c.Name);
            }
            Assert.Equal(HostileCorpus.Cases.Count, HostileCorpus.Cases.Select(c => c.Name).Distinct().Count());
        }

        private static EvidenceTable TableOf(HostileCase c) => Enum.Parse<EvidenceTable>(c.Table);

        private static void CheckExplicit(HostileCase c, string path)
        {
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            EvidenceException? error = null;
            IReadOnlyList<EvidenceFile> files = Array.Empty<EvidenceFile>();
            int rows = 0;
            try
            {
                files = reader.Resolve(new[] { path }, TableOf(c));
                rows = Read(reader, TableOf(c), files);
            }
            catch (EvidenceException ex)
            {
                error = ex;
            }

            var want = c.Explicit;
            if (want?.Error != null)
            {
                Assert.True(error != null, $"{c.Name}: expected {want.Error}, got {rows} row(s) and no error");
                AssertNamesFile(error!, path, want.Error, want.Line);
                if (want.Column != null) Assert.Equal(want.Column, error!.Column);
                return;
            }
            Assert.True(error == null, $"{c.Name}: {error?.Reason}: {error?.Message}");
            if (want?.Files != null)
            {
                Assert.Equal(want.Files.Value, files.Count);
                Assert.Contains(log.Warnings, w => w.Contains(path) && w.Contains(want.Warning ?? ""));
                return;
            }
            var stats = Assert.Single(reader.Statistics);
            Assert.True(stats.Completed, $"{c.Name}: reading stopped early");
            Assert.Equal(stats.Read - stats.Rejected, rows);
            Assert.Equal(0, stats.Filtered);
            CheckRows(c, path, stats, log);
        }

        private static void CheckFolder(HostileCase c, string path, string mode, EngineHunt hunt)
        {
            string what = $"{c.Name} ({mode})";
            hunt.AssertAccounting();
            string full = Path.GetFullPath(path);
            switch (c.Folder)
            {
                case "error":
                    Assert.True(hunt.Error != null, $"{what}: expected {c.Explicit!.Error}; the hunt ended without an error, files: " +
                        string.Join(", ", hunt.Files.Select(f => Path.GetFileName(f.Path))) + "; log: " + string.Join(" | ", hunt.Log.Verbose.Concat(hunt.Log.Warnings).Where(m => m.Contains(c.Name))));
                    AssertNamesFile(hunt.Error!, full, c.Explicit!.Error!, c.Explicit.Line);
                    return;
                case "skipped":
                    Assert.True(hunt.Error == null, $"{what}: {hunt.Error?.Message}");
                    Assert.DoesNotContain(hunt.Files, f => f.Path == full);
                    Assert.Contains(hunt.Log.Warnings.Concat(hunt.Log.Verbose), m => m.Contains(full));
                    break;
                default:
                    Assert.True(hunt.Error == null, $"{what}: {hunt.Error?.Reason}: {hunt.Error?.Message}");
                    if (c.Read != null)
                    {
                        Assert.Contains(hunt.Files, f => f.Path == full);
                        var stats = Assert.Single(hunt.Statistics, s => s.File == full);
                        Assert.True(stats.Completed, $"{what}: reading stopped early");
                        CheckRows(c, full, stats, hunt.Log);
                    }
                    break;
            }

            var operations = HostileCorpus.Expected(c.Operations, mode, HostileCorpus.BaselineOperations);
            var executions = HostileCorpus.Expected(c.Executions, mode, HostileCorpus.BaselineExecutions);
            EngineHunt.AssertSameSet(operations, hunt.Operations.Select(EngineHunt.Key), $"{what}: operations");
            EngineHunt.AssertSameSet(executions, hunt.Executions.Select(EngineHunt.Key), $"{what}: executions");
            EngineHunt.AssertSameSet(EngineHunt.UniqueOf(executions), hunt.Unique.Select(EngineHunt.Key), $"{what}: unique scripts");
        }

        /// <summary>The file's accounting and each refused row: line, column, value and reason as the case says.</summary>
        private static void CheckRows(HostileCase c, string path, FileReadStatistics stats, CollectingLog log)
        {
            Assert.True(stats.Read == stats.Used + stats.Filtered + stats.Rejected, stats.ToString());
            if (c.Read != null) Assert.Equal(c.Read.Value, stats.Read);
            var errors = log.Rejected.Where(e => e.Source == path).ToList();
            Assert.Equal(stats.Rejected, errors.Count);
            var allowed = c.Rejected.Select(r => r.Line).Concat(c.MayReject).ToHashSet();
            foreach (var e in errors)
                Assert.True(allowed.Contains(e.Line), $"{c.Name}: unexpected rejection: {e}");
            foreach (var want in c.Rejected)
            {
                var e = errors.SingleOrDefault(x => x.Line == want.Line);
                Assert.True(e != null, $"{c.Name}: line {want.Line} was not refused; refused: {string.Join(" | ", errors)}");
                if (want.Column != null) Assert.Equal(want.Column, e!.Column);
                if (want.Value != null) Assert.Equal(want.Value, e!.Value);
                if (want.Reason != null) Assert.Contains(want.Reason, e!.Reason);
                Assert.Contains(path, e!.ToString());
                Assert.Contains($"line {want.Line}", e.ToString());
            }
            if (c.Warning != null)
                Assert.True(log.Warnings.Any(w => w.Contains(path) && w.Contains(c.Warning)),
                    $"{c.Name}: no warning naming the file and '{c.Warning}'; warnings: [{string.Join(" | ", log.Warnings)}]");
            if (c.Verbose != null)
                Assert.True(log.Verbose.Any(v => v.Contains(path) && v.Contains(c.Verbose)),
                    $"{c.Name}: no verbose message naming the file and '{c.Verbose}'; verbose: [{string.Join(" | ", log.Verbose)}]");
        }

        private static void AssertNamesFile(EvidenceException error, string path, string reason, long? line)
        {
            Assert.True(reason.Split('|').Contains(error.Reason), $"expected {reason}, got {error.Reason}: {error.Message}");
            Assert.Equal(path, error.Source);
            Assert.Contains(path, error.Message);
            if (line == -1)
            {
                Assert.True(error.Line > 0, $"no line named: {error.Message}");
                Assert.Contains($"line {error.Line}", error.Message);
            }
            else if (line > 0)
            {
                Assert.Equal(line.Value, error.Line);
                // MissingColumn errors are about the header (line 1) and say so through their column list.
                if (error.Reason != "MissingColumn") Assert.Contains($"line {line}", error.Message);
            }
        }

        private static int Read(EvidenceReader reader, EvidenceTable table, IReadOnlyList<EvidenceFile> files)
        {
            switch (table)
            {
                case EvidenceTable.AzureActivity: return reader.ReadAzureActivity(files).Count();
                case EvidenceTable.DeviceFileEvents: return reader.ReadDeviceFileEvents(files).Count();
                case EvidenceTable.DeviceEvents: return reader.ReadDeviceEvents(files).Count();
                default: return reader.ReadDeviceProcessEvents(files).Count();
            }
        }
    }

    /// <summary>A fact that runs only where a file of mode 000 cannot be opened (not as root, not on Windows).</summary>
    public sealed class PermissionsApplyFactAttribute : FactAttribute
    {
        public PermissionsApplyFactAttribute()
        {
            if (!HostileCorpus.PermissionsApply())
                Skip = "Permission checks do not apply here (root, or Windows): a file of mode 000 can still be read.";
        }
    }
}
