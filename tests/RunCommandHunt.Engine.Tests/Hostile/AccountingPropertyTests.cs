using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CsCheck;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Readers;
using RunCommandHunt.Engine.Tests.Readers;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Hostile
{
    /// <summary>
    /// read == used + filtered + rejected for every file the reader tests use (Fixtures/Readers and the hostile corpus),
    /// read with a filter that drops some rows, and for random mutations of them (bit flips, cuts, splices, inserted
    /// quotes, delimiters, line breaks, NULs): a reader ends each in rows or an EvidenceException naming the file.
    /// </summary>
    public class AccountingPropertyTests
    {
        private static readonly string FixtureRoot = Path.Combine(AppContext.BaseDirectory, "Fixtures");

        /// <summary>Every evidence fixture of the reader tests and of the corpus (cases.json and notes are not evidence).</summary>
        public static IEnumerable<object[]> Fixtures() => SeedFiles().Select(f => new object[] { Path.GetRelativePath(FixtureRoot, f) });

        private static IEnumerable<string> SeedFiles() =>
            Directory.EnumerateFiles(Path.Combine(FixtureRoot, "Readers"))
                .Concat(Directory.EnumerateFiles(Path.Combine(FixtureRoot, "Hostile"), "*", SearchOption.AllDirectories))
                .Where(f => Path.GetFileName(f) != "cases.json" && !f.EndsWith(".txt", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal);

        [Theory]
        [MemberData(nameof(Fixtures))]
        public void Read_WhenAnyFixtureReadWithAFilter_ShouldAccountForEveryRow(string fixture)
        {
            var outcome = ReadAll(File.ReadAllBytes(Path.Combine(FixtureRoot, fixture)), Path.GetFileName(fixture));
            Assert.True(outcome.Crash == null, $"{fixture}: {outcome.Crash}");
        }

        [Fact]
        public void Read_WhenFixturesMutated_ShouldEndInRowsOrAnEvidenceErrorWithRowsAccounted()
        {
            var seeds = SeedFiles().Select(f => (Name: Path.GetFileName(f), Bytes: File.ReadAllBytes(f))).Where(s => s.Bytes.Length > 0).ToArray();
            var edit = Gen.Select(Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue],
                Gen.OneOfConst((byte)'"', (byte)',', (byte)';', (byte)'\n', (byte)'\r', (byte)'{', (byte)'[', (byte)'}', (byte)0, (byte)0xFF, (byte)0xC3, (byte)'\\'));
            Gen.Select(Gen.Int[0, seeds.Length - 1], edit.Array[1, 6]).Sample((seed, edits) =>
            {
                var (name, original) = seeds[seed];
                var bytes = Mutate(original, edits);
                var outcome = ReadAll(bytes, name);
                Assert.True(outcome.Crash == null, $"{name} mutated ({string.Join(", ", edits.Select(e => e.ToString()))}): {outcome.Crash}");
            }, iter: 400);
        }

        /// <summary>Applies edits: 0 flip a bit, 1 set a byte, 2 cut the rest, 3 insert a byte, 4 repeat a slice, 5 delete a slice.</summary>
        internal static byte[] Mutate(byte[] input, (int Kind, int A, int B, byte Value)[] edits)
        {
            var b = new List<byte>(input);
            foreach (var (kind, a, c, value) in edits)
            {
                if (b.Count == 0) b.Add(value);
                int at = a % b.Count;
                int length = Math.Min(1 + c % 64, b.Count - at);
                switch (kind)
                {
                    case 0: b[at] ^= (byte)(1 << (c % 8)); break;
                    case 1: b[at] = value; break;
                    case 2: b.RemoveRange(at, b.Count - at); break;
                    case 3: b.Insert(at, value); break;
                    case 4: b.InsertRange(at, b.GetRange(at, length)); break;
                    default: b.RemoveRange(at, length); break;
                }
            }
            return b.ToArray();
        }

        internal sealed class Outcome
        {
            public EvidenceException? Refused;
            public string? Crash;
        }

        /// <summary>Resolves the bytes as a file of any table and reads it with a filter that keeps two rows in three.
        /// A crash is any exception other than EvidenceException, or a file whose counts do not add up.</summary>
        internal static Outcome ReadAll(byte[] bytes, string name)
        {
            using var dir = new TempDir();
            string path = dir.WriteBytes(name, bytes);
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            var outcome = new Outcome();
            long seen = 0;
            bool Keep<T>(T _) => ++seen % 3 != 0;
            try
            {
                foreach (var file in reader.Resolve(new[] { path }))
                {
                    switch (file.Table)
                    {
                        case EvidenceTable.AzureActivity: reader.ReadAzureActivity(new[] { file }, Keep).Count(); break;
                        case EvidenceTable.DeviceFileEvents: reader.ReadDeviceFileEvents(new[] { file }, Keep).Count(); break;
                        case EvidenceTable.DeviceEvents: reader.ReadDeviceEvents(new[] { file }, Keep).Count(); break;
                        default: reader.ReadDeviceProcessEvents(new[] { file }, Keep).Count(); break;
                    }
                }
            }
            catch (EvidenceException ex)
            {
                outcome.Refused = ex;
                if (ex.Source != path || !ex.Message.Contains(path)) outcome.Crash = $"the error does not name the file: {ex.Message}";
            }
            catch (Exception ex)
            {
                outcome.Crash = ex.ToString();
                return outcome;
            }
            foreach (var s in reader.Statistics)
            {
                if (s.Read != s.Used + s.Filtered + s.Rejected) outcome.Crash = $"counts do not add up: {s}";
                long logged = log.Rejected.Count(e => e.Source == s.File);
                if (logged != s.Rejected) outcome.Crash = $"{s}, but {logged} row error(s) logged";
                var unnamed = log.Rejected.FirstOrDefault(e => e.Line <= 0 || !e.ToString().Contains(path));
                if (unnamed != null) outcome.Crash = $"a row error without file and line: {unnamed}";
            }
            return outcome;
        }
    }
}
