using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RunCommandHunt.Engine.Baseline;
using RunCommandHunt.Engine.Reporting;
using Xunit;
using static RunCommandHunt.Engine.Tests.Reporting.ReportSamples;

namespace RunCommandHunt.Engine.Tests.Baseline
{
    public sealed class BaselineFileTests : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("rch-baseline-").FullName;
        private string BaselinePath => Path.Combine(_dir, "baseline.json");

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private static RunCommandScriptExecution Run(string vm, double minutes, params string[] commands) =>
            Exec(Op(vm, "ops@contoso.com", "10.0.0.1", "Succeeded", minutes), "script1.ps1", 100, commands);

        [Fact]
        public void Load_WhenFileMissing_ShouldReturnAnEmptyBaseline()
        {
            var b = BaselineFile.Load(BaselinePath);
            Assert.Equal(0, b.Count);
            Assert.Null(b.Updated);
            Assert.False(File.Exists(BaselinePath));
        }

        [Fact]
        public void Update_WhenTwoSuccessiveDailyRuns_ShouldReportAScriptOnlyTheFirstTime()
        {
            var day1 = new[] { Run("vm-a", 0, "Get-Process"), Run("vm-b", 30, "Invoke-WebRequest", "Start-Process") };
            var first = BaselineFile.Update(BaselinePath, day1);
            Assert.All(first.Classifications, c => Assert.True(c.IsNew));
            Assert.Equal(2, first.NewScripts);

            // Next day: the same Get-Process script (other machine, other case and order) and one never seen.
            var day2 = new[] { Run("vm-c", 24 * 60, "GET-PROCESS"), Run("vm-a", 24 * 60 + 5, "Add-MpPreference") };
            var known = BaselineFile.Load(BaselinePath).Classify(day2);
            Assert.Equal(new[] { false, true }, known.Select(c => c.IsNew));
            Assert.Equal(day2[0], known[0].Execution);
            Assert.Equal("vm-a", known[0].Known!.Example.VirtualMachineName);

            var second = BaselineFile.Update(BaselinePath, day2);
            Assert.Equal(new[] { false, true }, second.Classifications.Select(c => c.IsNew));
            Assert.Equal(1, second.NewScripts);

            var third = BaselineFile.Update(BaselinePath, day2);
            Assert.All(third.Classifications, c => Assert.False(c.IsNew));

            var b = BaselineFile.Load(BaselinePath);
            Assert.Equal(3, b.Count);
            Assert.True(b.TryGet(b.FingerprintOf(day1[0]), out var gp));
            Assert.Equal(day1[0].StartTime, gp!.FirstSeen);
            Assert.Equal(day2[0].StartTime, gp.LastSeen);
            Assert.Equal(3, gp.Count);
            Assert.Equal("vm-a", gp.Example.VirtualMachineName);
            Assert.Equal(new[] { "Get-Process" }, gp.Example.PowershellScriptCommands);
        }

        [Fact]
        public void Classify_WhenUniqueScriptRows_ShouldKeepOnlyThoseNeverSeen()
        {
            var seen = Run("vm-a", 0, "Get-Process");
            BaselineFile.Update(BaselinePath, new[] { seen });
            var rows = Findings(new[] { Run("vm-b", 60, "get-process"), Run("vm-b", 61, "Remove-Item") });

            var c = BaselineFile.Load(BaselinePath).Classify(rows);

            Assert.Equal(new[] { false, true }, c.Select(x => x.IsNew));
            Assert.Same(rows[1], c[1].Script);
        }

        [Fact]
        public void Save_WhenValuesAreUnusual_ShouldRoundTripEveryField()
        {
            var x = Exec(Op("vm-ü", "\"quote\"@contoso.com", "2001:db8::1", "Succeeded", 3), "script12.ps1", null, "艺术", "a\"b\\c", "line\nbreak");
            var r = BaselineFile.Update(BaselinePath, new[] { x }, new BaselineUpdateOptions { Now = new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc) });

            var b = BaselineFile.Load(BaselinePath);
            Assert.Equal(new DateTime(2024, 6, 1, 0, 0, 0, DateTimeKind.Utc), b.Updated);
            var e = Assert.Single(b.Entries);
            var w = Assert.Single(r.Baseline.Entries);
            Assert.Equal(w.ScriptFingerprintHash, e.ScriptFingerprintHash);
            Assert.Equal(x.StartTime, e.FirstSeen);
            Assert.Equal(DateTimeKind.Utc, e.FirstSeen.Kind);
            Assert.Equal(x.VirtualMachineName, e.Example.VirtualMachineName);
            Assert.Equal(x.Caller, e.Example.Caller);
            Assert.Equal(x.CallerIpAddress, e.Example.CallerIpAddress);
            Assert.Equal(x.PowershellFileName, e.Example.PowershellFileName);
            Assert.Null(e.Example.PowershellFileSize);
            Assert.Equal(x.PowershellScriptCommands, e.Example.PowershellScriptCommands);
            Assert.Equal(x.CorrelationId, e.Example.CorrelationId);
            Assert.Equal(x.Scope, e.Example.Scope);

            var text = File.ReadAllText(BaselinePath);
            Assert.Contains("\"version\": 1", text);
            Assert.Contains("艺术", text);
        }

        [Fact]
        public async Task Update_WhenManyThreadsUpdateAtOnce_ShouldKeepEveryUpdate()
        {
            const int threads = 8, perThread = 5;
            var barrier = new Barrier(threads);
            var results = new BaselineUpdateResult[threads];
            var tasks = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
            {
                var mine = Enumerable.Range(0, perThread).Select(i => Run("vm-" + t, t * 10 + i, "Cmd-T" + t + "I" + i)).ToList();
                mine.Add(Run("vm-" + t, 1000 + t, "Shared-Command"));
                barrier.SignalAndWait();
                results[t] = BaselineFile.Update(BaselinePath, mine, new BaselineUpdateOptions { LockTimeout = TimeSpan.FromMinutes(2) });
            }, TaskCreationOptions.LongRunning)).ToArray();
            await Task.WhenAll(tasks);

            var b = BaselineFile.Load(BaselinePath);
            Assert.Equal(threads * perThread + 1, b.Count);
            for (int t = 0; t < threads; t++)
                for (int i = 0; i < perThread; i++)
                    Assert.True(b.TryGet(b.FingerprintOf(Run("x", 0, "Cmd-T" + t + "I" + i)), out _), $"thread {t} script {i} lost");
            Assert.True(b.TryGet(b.FingerprintOf(Run("x", 0, "Shared-Command")), out var shared));
            Assert.Equal(threads, shared!.Count);
            Assert.Equal(Run("vm-0", 1000, "Shared-Command").StartTime, shared.FirstSeen);
            // Classified inside the lock: the shared script was new to exactly one of the updates.
            Assert.Equal(1, results.Count(r => r.Classifications.Last().IsNew));
            Assert.Equal(new[] { "baseline.json", "baseline.json.lock" }, Directory.GetFiles(_dir).Select(Path.GetFileName).OrderBy(n => n));
        }

        [Fact]
        public void Update_WhenAKilledWriteLeftItsTempFile_ShouldKeepTheOldFileAndCleanUp()
        {
            BaselineFile.Update(BaselinePath, new[] { Run("vm-a", 0, "Get-Process") });
            var before = File.ReadAllBytes(BaselinePath);
            // What a run killed between writing the temp file and the rename leaves behind.
            var temp = Path.Combine(_dir, ".baseline.json.5f0c2a0d9c3b4e0f8a1b2c3d4e5f6a7b.tmp");
            File.WriteAllText(temp, "{\"version\":1,\"fingerprint\":\"Commands\",\"scripts\":[{\"ScriptFinger");

            Assert.Equal(before, File.ReadAllBytes(BaselinePath));
            Assert.Equal(1, BaselineFile.Load(BaselinePath).Count);

            var r = BaselineFile.Update(BaselinePath, new[] { Run("vm-a", 60, "Stop-Service") });
            Assert.Equal(1, r.RemovedTempFiles);
            Assert.False(File.Exists(temp));
            Assert.Equal(2, BaselineFile.Load(BaselinePath).Count);
        }

        [Fact]
        public void Update_WhenTheWriteFailsBeforeTheRename_ShouldLeaveTheOldFileWhole()
        {
            BaselineFile.Update(BaselinePath, new[] { Run("vm-a", 0, "Get-Process") });
            var before = File.ReadAllBytes(BaselinePath);
            var dir = _dir;
            AtomicFile.BeforeRename = temp => { if (temp.StartsWith(dir, StringComparison.Ordinal)) throw new IOException("disk full"); };
            try
            {
                var ex = Assert.Throws<BaselineException>(() => BaselineFile.Update(BaselinePath, new[] { Run("vm-b", 5, "Remove-Item") }));
                Assert.Equal("WriteFailed", ex.Reason);
                Assert.Contains(BaselinePath, ex.Message);
            }
            finally { AtomicFile.BeforeRename = null; }

            Assert.Equal(before, File.ReadAllBytes(BaselinePath));
            Assert.DoesNotContain(Directory.GetFiles(_dir), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        }

        public static IEnumerable<object?[]> CorruptFiles() => new[]
        {
            // content, line, column, value shown (null = none), reason
            new object?[] { "", 1, 1, null, "Corrupt" },
            new object?[] { "{\n  \"version\": 1,\n  \"scripts\": [\n    {\"ScriptFingerprintHash\": \"ab\"", 4, 35, null, "Corrupt" },
            new object?[] { "{\n  \"version\": 1,\n  \"scripts\": [ { \"ScriptFingerprintHash\": \"ab\", \"FirstSeen\": \"2024-05-01T10:00:00Z\",\n    \"LastSeen\": \"2024-05-01T10:00:00Z\", \"Count\": \"many\" } ]\n}", 4, 50, "\"many\"", "Corrupt" },
            new object?[] { "{\"version\": 1, \"scripts\": [ { \"ScriptFingerprintHash\": \"ab\", \"FirstSeen\": \"yesterday\", \"LastSeen\": \"2024-05-01T10:00:00Z\", \"Count\": 1 } ]}", 1, 75, "yesterday", "Corrupt" },
            new object?[] { "{\"scripts\": []}", 1, 1, null, "Corrupt" },
            new object?[] { "{\"version\": 2, \"scripts\": []}", 1, 13, "2", "UnsupportedVersion" },
            new object?[] { "[1,2]", 1, 1, "[...", "Corrupt" },
            new object?[] { "{\"version\": 1, \"scripts\": [ {\"ScriptFingerprintHash\": \"ab\", \"FirstSeen\": \"2024-05-01T10:00:00Z\", \"LastSeen\": \"2024-05-01T10:00:00Z\", \"Count\": 1},\n {\"ScriptFingerprintHash\": \"AB\", \"FirstSeen\": \"2024-05-01T10:00:00Z\", \"LastSeen\": \"2024-05-01T10:00:00Z\", \"Count\": 1} ]}", 2, 28, "AB", "Corrupt" },
            new object?[] { "\uFEFF{\"version\": 1, \"fingerprint\": \"Sizes\", \"scripts\": []}", 1, 31, "Sizes", "Corrupt" },
        };

        [Theory]
        [MemberData(nameof(CorruptFiles))]
        public void Load_WhenFileIsCorrupt_ShouldThrowNamingFileLineColumnAndValue(string content, int line, int column, string? value, string reason)
        {
            File.WriteAllText(BaselinePath, content, new UTF8Encoding(false));

            var ex = Assert.Throws<BaselineException>(() => BaselineFile.Load(BaselinePath));

            Assert.Equal(reason, ex.Reason);
            Assert.Equal(BaselinePath, ex.Path);
            Assert.Contains(BaselinePath, ex.Message);
            Assert.Equal((line, column), (ex.Line, ex.Column));
            Assert.Contains($"line {line}, column {column}", ex.Message);
            Assert.Equal(value, ex.Value);
            if (value != null) Assert.Contains(value, ex.Message);
        }

        [Fact]
        public void Update_WhenFileIsCorrupt_ShouldThrowAndNeverResetIt()
        {
            File.WriteAllText(BaselinePath, "{\"version\": 1, \"scripts\": [ {\"oops\"");
            var before = File.ReadAllBytes(BaselinePath);

            var ex = Assert.Throws<BaselineException>(() => BaselineFile.Update(BaselinePath, new[] { Run("vm-a", 0, "Get-Process") }));

            Assert.Equal("Corrupt", ex.Reason);
            Assert.Equal(before, File.ReadAllBytes(BaselinePath));
        }

        [Fact]
        public void Load_WhenFingerprintKindDiffers_ShouldRefuseToMixThem()
        {
            BaselineFile.Update(BaselinePath, new[] { Run("vm-a", 0, "Get-Process") },
                new BaselineUpdateOptions { Fingerprint = FingerprintKind.CommandsAndSize });
            Assert.Equal(FingerprintKind.CommandsAndSize, BaselineFile.Load(BaselinePath, FingerprintKind.CommandsAndSize).Fingerprint);

            var ex = Assert.Throws<BaselineException>(() => BaselineFile.Load(BaselinePath));
            Assert.Equal("FingerprintKindMismatch", ex.Reason);
            Assert.Contains("CommandsAndSize", ex.Message);
        }

        [Fact]
        public void Update_WhenAnotherRunHoldsTheLock_ShouldTimeOutNamingTheLockFile()
        {
            var lockPath = BaselineFile.LockPathOf(BaselinePath);
            using (new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            {
                var ex = Assert.Throws<BaselineException>(() => BaselineFile.Update(BaselinePath, new[] { Run("vm-a", 0, "Get-Process") },
                    new BaselineUpdateOptions { LockTimeout = TimeSpan.FromMilliseconds(200) }));
                Assert.Equal("LockTimeout", ex.Reason);
                Assert.Equal(lockPath, ex.Path);
                Assert.Contains(lockPath, ex.Message);
            }
            Assert.False(File.Exists(BaselinePath));
            // Released: the next run goes through.
            Assert.Equal(1, BaselineFile.Update(BaselinePath, new[] { Run("vm-a", 0, "Get-Process") }).NewScripts);
        }

        [Fact]
        public void Update_WhenFolderMissing_ShouldThrowRatherThanCreateIt()
        {
            var path = Path.Combine(_dir, "typo", "baseline.json");
            var ex = Assert.Throws<BaselineException>(() => BaselineFile.Update(path, new[] { Run("vm-a", 0, "Get-Process") }));
            Assert.Equal("FolderNotFound", ex.Reason);
            Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
        }
    }
}
