using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;
using RunCommandHunt.Engine.Readers.Formats;
using RunCommandHunt.Engine.Tests.Hostile;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Readers
{
    /// <summary>
    /// The fast paths of the CSV reader change nothing: the well-formed-row parser reads every row as the general
    /// one does, and a relevance filter's prefilter gives the same records, counts and row errors as its predicate
    /// alone, in every behaviour, on the hostile corpus, the samples and generated rows full of near misses
    /// (tokens in other cases, non-ASCII look-alikes, escapes, bad times and numbers, rows of other tables).
    /// </summary>
    public class PrefilterTests
    {
        private static readonly CompatibilityMode[] Modes = { CompatibilityMode.None, CompatibilityMode.HuntingQuery, CompatibilityMode.AnalyticRule };

        // ------------------------------------------------------------------ the row parser

        // Dense (short fields, every structural byte) and sparse (long fields: the eight-byte scans cross their ends).
        private static readonly Gen<string> CsvText = Gen.OneOf(
            Gen.Char[",\"\r\na \u00e9;"].Array[0, 400].Select(c => new string(c)),
            Gen.Frequency((40, Gen.Char['a', 'z']), (2, Gen.Const(',')), (1, Gen.Const('"')), (1, Gen.Const('\n')), (1, Gen.Const('\r'))).Array[0, 600].Select(c => new string(c)));

        [Fact]
        public void CsvRows_WhenFastPathsOn_ShouldReadEveryRowAsTheGeneralParser()
        {
            // The well-formed-row parser and the vectorised index (Readers/CsvIndexTests.cs has more of it).
            Gen.Select(CsvText, Gen.Int[64, 300]).Sample((body, buffer) =>
            {
                using var dir = new TempDir();
                var path = dir.Write("t.csv", "A,B,C\n" + body, new UTF8Encoding(false));
                var general = ParseAll(path, CsvParser.General, buffer);
                Assert.Equal(general, ParseAll(path, CsvParser.WellFormed, buffer));
                Assert.Equal(general, ParseAll(path, CsvParser.Indexed, buffer));
            }, iter: 3000);
        }

        [Fact]
        public void CsvRows_WhenRealExportsRead_ShouldMatchTheGeneralParser()
        {
            using var dir = new TempDir();
            var files = HostileFiles(dir.Path).Concat(SampleCsvFiles()).Where(IsCsv).ToList();
            Assert.True(files.Count > 20, $"only {files.Count} CSV files");
            foreach (var path in files)
            {
                foreach (int buffer in new[] { 64, 1 << 20 })
                {
                    var general = ParseAll(path, CsvParser.General, buffer);
                    Assert.Equal(general, ParseAll(path, CsvParser.WellFormed, buffer));
                    Assert.Equal(general, ParseAll(path, CsvParser.Indexed, buffer));
                }
            }
        }

        /// <summary>Which of the reader's row parsers finds the rows (each falls back to the next for rows it does not take).</summary>
        internal enum CsvParser { General, WellFormed, Indexed }

        /// <summary>Every row of the file as text (values or the rejection), read with one parser.</summary>
        internal static List<string> ParseAll(string path, CsvParser parser, int buffer) => ParseAll(path, parser, buffer, out _);

        internal static List<string> ParseAll(string path, CsvParser parser, int buffer, out long rowsFromIndex)
        {
            var rows = new List<string>();
            rowsFromIndex = 0;
            try
            {
                using var source = new CsvRowSource(EvidenceStream.Open(path), buffer)
                {
                    UseFastPath = parser != CsvParser.General,
                    UseIndex = parser == CsvParser.Indexed,
                    IndexMinBytes = 0,
                };
                var needed = Enumerable.Repeat(true, source.Columns.Count).ToArray();
                var values = new string?[source.Columns.Count];
                var outcome = new RowOutcome();
                while (true)
                {
                    var status = source.Next(needed, values, outcome);
                    if (status == RowStatus.End) break;
                    rows.Add(status == RowStatus.Row
                        ? $"row {outcome.Line}: " + string.Join("|", values.Select(v => v == null ? "<null>" : v))
                        : $"rejected {outcome.Line} {outcome.Column} {outcome.Value} {outcome.Reason}");
                }
                rowsFromIndex = source.RowsFromIndex;
                if (parser == CsvParser.Indexed && rows.Count > 0)
                    Assert.True(source.Indexed, "the vectorised index is not loaded (RunCommandHunt.Engine.Vectorized)");
            }
            catch (EvidenceException ex)
            {
                rows.Add("error: " + ex.Message);
            }
            return rows;
        }

        // ------------------------------------------------------------------ raw tests

        [Fact]
        public void IsIsoUtcDateTime_WhenTrue_ShouldBeADateTimeTheMapperAccepts()
        {
            var digits = Gen.Char["0123456789"];
            var text = Gen.OneOf(
                Gen.Select(Gen.Int[0, 9999], Gen.Int[0, 13], Gen.Int[0, 32], Gen.Int[0, 25], Gen.Int[0, 61], Gen.Int[0, 61], digits.Array[0, 9], Gen.Char["Zz+ "],
                    (y, mo, d, h, mi, s, f, z) => $"{y:D4}-{mo:D2}-{d:D2}T{h:D2}:{mi:D2}:{s:D2}{(f.Length > 0 ? "." + new string(f) : "")}{z}"),
                Gen.Char["0123456789-T:.Zz +"].Array[18, 32].Select(c => new string(c)));
            text.Sample(t =>
            {
                if (RawText.IsIsoUtcDateTime(Encoding.ASCII.GetBytes(t)))
                    Assert.True(EvidenceValues.TryParseDateTime(t, out _), t);
            }, iter: 20000);
            Assert.True(RawText.IsIsoUtcDateTime(Encoding.ASCII.GetBytes("2024-02-29T23:59:59.1234567Z")));
            Assert.False(RawText.IsIsoUtcDateTime(Encoding.ASCII.GetBytes("2023-02-29T00:00:00Z")));
        }

        [Fact]
        public void IsPlainLong_WhenTrue_ShouldBeALongTheMapperAccepts()
        {
            Gen.Char["0123456789+-. xE"].Array[0, 22].Select(c => new string(c)).Sample(t =>
            {
                if (RawText.IsPlainLong(Encoding.ASCII.GetBytes(t)))
                    Assert.True(EvidenceValues.TryParseLong(t, out _), t);
            }, iter: 20000);
        }

        [Fact]
        public void ContainsIgnoreAsciiCase_ShouldMatchTheRegularExpressionOfThePattern()
        {
            // Patterns anchored on a pair of literal bytes (both letters, one, none) and on one byte before classes.
            var alphabet = Gen.Char["-fFiIlLeEsScCrRpPtT19 \t\u001f.\\/\"'xuUnNoOmMaAdD"];
            var patterns = Gen.OneOfConst("-file", "-file script#", "\\script#", " script.", "script", "\"script#", "#", " ",
                "runcommand", "run-command", ".ps1", "/\\", "-#", "s#");
            // The pattern itself planted in random text (at its start, end or inside), each letter in either case and each
            // class as one of its members, sometimes with one byte changed: matches and near misses, not only misses.
            var planted = Gen.Select(patterns, alphabet.Array[0, 12], alphabet.Array[0, 12], Gen.Int[0, 3].Array[20], Gen.Int[-1, 19], alphabet)
                .Select((p, before, after, choices, broken, other) => (Pattern: p, Text: new string(before) + string.Concat(p.Select((c, i) =>
                    i == broken ? other : c == '#' ? "0123456789"[choices[i % 20] * 3] : c == ' ' ? " \t\u001f\r"[choices[i % 20]]
                    : (choices[i % 20] & 1) == 1 ? char.ToUpperInvariant(c) : c)) + new string(after)));
            var random = Gen.Select(alphabet.Array[0, 40], patterns).Select((chars, p) => (Pattern: p, Text: new string(chars)));
            Gen.OneOf(planted, random).Sample(sample =>
            {
                var (pattern, text) = sample;
                var regex = string.Concat(pattern.Select(c => c == ' ' ? @"[\t\n\v\f\r\x1C-\x1F ]" : c == '#' ? "[0-9]" : Regex.Escape(c.ToString())));
                bool expected = Regex.IsMatch(text, regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
                Assert.Equal(expected, RawText.ContainsIgnoreAsciiCase(Encoding.ASCII.GetBytes(text), Encoding.ASCII.GetBytes(pattern)));
            }, iter: 20000);
        }

        [Fact]
        public void IndexOfPairIgnoreCase_ShouldFindTheFirstPairInAnyCase()
        {
            // Texts longer than a few vector registers, so that the vectorised loop, its register ends and the
            // scalar tail all meet pairs; bytes that only differ from a letter in bit 0x20 ('@', '[', '`', '{').
            var bytes = Gen.Byte.Select(b => (byte)"-fFaA@`[{sS\"/\u00c3"[b % 14]).Array[0, 200];
            Gen.Select(bytes, Gen.Int[0, 210], Gen.OneOfConst("-f", "fa", "sf", "a-", "--", "@f", "[a")).Sample((text, from, pair) =>
            {
                byte x = (byte)pair[0], y = (byte)pair[1];
                int expected = -1;
                for (int i = from; i + 1 < text.Length; i++)
                {
                    if (char.ToLowerInvariant((char)text[i]) == x && char.ToLowerInvariant((char)text[i + 1]) == y && text[i] < 0x80 && text[i + 1] < 0x80)
                    {
                        expected = i;
                        break;
                    }
                }
                Assert.Equal(expected, RawText.IndexOfPairIgnoreCase(text, Math.Min(from, text.Length), x, y));
            }, iter: 20000);
        }

        // ------------------------------------------------------------------ prefilter = predicate alone

        [Fact]
        public void Read_WhenHostileCorpusAndSamplesRead_ShouldGiveWhatThePredicateAloneGives()
        {
            using var dir = new TempDir();
            var files = HostileFiles(dir.Path).Concat(SampleCsvFiles()).ToList();
            int compared = 0;
            foreach (var path in files)
            {
                var table = TableOf(path);
                if (table == EvidenceTable.Unknown) continue;
                foreach (var mode in Modes)
                {
                    AssertSameRead(path, table, mode);
                    compared++;
                }
            }
            Assert.True(compared > 30, $"only {compared} file reads compared");
        }

        [Theory]
        [InlineData(EvidenceTable.AzureActivity)]
        [InlineData(EvidenceTable.DeviceFileEvents)]
        [InlineData(EvidenceTable.DeviceEvents)]
        [InlineData(EvidenceTable.DeviceProcessEvents)]
        public void Read_WhenRowsAreNearMisses_ShouldGiveWhatThePredicateAloneGives(EvidenceTable table)
        {
            var fields = TableSchema.Fields(table).ToList();
            var longs = EvidenceRowMapper.LongFields(table);
            var header = Gen.Select(Gen.Bool, Gen.Bool).Select((withType, withExtra) =>
                fields.Concat(withType ? new[] { "Type" } : Array.Empty<string>()).Concat(withExtra ? new[] { "Extra" } : Array.Empty<string>()).ToArray());
            string[] Pool(string column) =>
                column == "TimeGenerated" ? Times : longs.Contains(column) ? Longs : column == "Type" ? TypesOf(table) : Values;
            var rows = header.SelectMany(h =>
                Gen.Select(h.Select(c => Gen.OneOfConst(Pool(c))).ToArray().Aggregate(Gen.Const(new List<string>()),
                    (acc, g) => Gen.Select(acc, g, (l, v) => new List<string>(l) { v })), Gen.Int[0, 30], Gen.Bool)
                .Select((row, shape, quoteAll) => Csv(shape == 0 ? row.Take(row.Count - 1) : shape == 1 ? row.Append("more") : row, quoteAll))
                .List[1, 12]
                .Select(lines => string.Join("\r\n", new[] { Csv(h, false) }.Concat(lines)) + "\r\n"));
            rows.Sample(text =>
            {
                using var dir = new TempDir();
                var path = dir.Write(table + ".csv", text, new UTF8Encoding(false));
                foreach (var mode in Modes) AssertSameRead(path, table, mode);
            }, iter: 400);
        }

        private static readonly string[] Times =
        {
            "2024-05-01T10:00:00.0000000Z", "2024-05-01T10:00:20Z", "2024-05-01T10:00:21.5z", "2024-02-30T10:00:00Z", "", " ",
            "5/1/2024, 10:00:00.000 AM", "2024-05-01 10:00:22", "2024-05-01T24:00:00Z", "garbage", "2024-05-01T10:00:23+02:00",
        };

        private static readonly string[] Longs = { "", "6001", "-5", "+7", "1.0", "1.5", "x", "99999999999999999999", "123456789012345678", " 42 " };

        private static string[] TypesOf(EvidenceTable table) =>
            new[] { table.ToString(), table.ToString().ToLowerInvariant(), " " + table + " ", "", "AzureActivity", "DeviceEvents", "Garbage" };

        private static readonly string[] Values =
        {
            "", "VM01", "vm01.contoso.local", "PowerShellCommand", "FileCreated", "a,b", "q\"uote", "line\nbreak",
            "Microsoft.Compute/virtualMachines/runCommand/action", "microsoft.compute/VIRTUALMACHINES/RUNCOMMAND/ACTION",
            "Microsoft.Compute/virtualMachines/runCommands/write", "Microsoft.HybridCompute/machines/runCommands/write", "Microsoft.Compute/virtualMachines/write",
            "{\"action\":\"Microsoft.Compute/virtualMachines/runCommand/action\",\"scope\":\"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/VM01\"}",
            "Succeeded", "Success", "Started",
            "RunCommandExtension.exe", "runcommandextension.EXE", "RunCommandExtenſion.exe", "RunCommandHandler.exe", "run-command-handler", "powershell.exe",
            "script1.ps1", "Script12.PS1", "script.ps1", "ſcript1.ps1", "run.sh", "x.cmd", "a.BAT", "notes.txt",
            "C:\\Packages\\Plugins\\Microsoft.CPlat.Core.RunCommandWindows\\1.1.0\\Downloads", "/var/lib/waagent/run-command/download/0",
            "C:\\Packages\\Plugins\\Microsoft.CPlat.Core.RunCommandWindows\\1.1.0\\Downloads\\script0.ps1",
            "powershell -ExecutionPolicy Unrestricted -File script1.ps1", "powershell -file \"C:\\x\\Script12.ps1\"", "powershell -File\tscript3.ps1",
            "pwsh -FILE 'script.ps1'", "powershell -File C:\\Scripts\\Rotate-Logs.ps1", "cmd /c -Filex", "powershell -Fıle script1.ps1",
            "powershell -File ſcript2.ps1", "powershell -File /var/lib/waagent/run-command/download/0/script.sh", "-File", "-File script7.ps1x",
            "{\"Command\":\"Get-Process\"}", "{\"Command\":\"script1.ps1\"}", "{\"ScriptContent\":\"Get-Date\"}", "{\"\\u0053criptContent\":\"x\"}",
            "{\"scriptcontent\":\"x\"}", "{\"Command\":\"\"}", "not json", "{\"Command\":", "\u212a\u0131\u017f", "cr\ronly", "lf\n\nlf",
        };

        private static string Csv(IEnumerable<string> fields, bool quoteAll) =>
            string.Join(",", fields.Select(f => quoteAll || f.IndexOfAny(new[] { ',', '"', '\r', '\n' }) >= 0 ? "\"" + f.Replace("\"", "\"\"") + "\"" : f));

        private static void AssertSameRead(string path, EvidenceTable table, CompatibilityMode mode)
        {
            var without = Read(path, table, mode, prefilter: false, split: false);
            foreach (var (prefilter, split) in new[] { (true, false), (false, true), (true, true) })
            {
                var with = Read(path, table, mode, prefilter, split);
                Assert.True(without.SequenceEqual(with),
                    $"{Path.GetFileName(path)} ({table}, {mode}) differs with prefilter {prefilter}, read in halves {split}:\n  " +
                    $"without: {string.Join("\n           ", without)}\n  with:    {string.Join("\n           ", with)}\n{File.ReadAllText(path)}");
            }
        }

        /// <summary>Records, row errors and counts of one read, as text.</summary>
        private static List<string> Read(string path, EvidenceTable table, CompatibilityMode mode, bool prefilter, bool split)
        {
            var log = new CollectingLog();
            // In halves: every file of more than a byte, whatever the machine's cores. The read with the prefilter also
            // takes its rows from the CSV index (its fields' quotes are looked for only when the prefilter reads them),
            // the read without it parses row by row: both fast paths against neither.
            var reader = new EvidenceReader(log)
            {
                SplitMinBytes = split ? 1 : long.MaxValue,
                MaxParallelFiles = 2,
                CsvIndexMinBytes = prefilter ? 0 : long.MaxValue,
            };
            var result = new List<string>();
            try
            {
                var files = reader.Resolve(new[] { path }, table);
                IEnumerable<object> records = table switch
                {
                    EvidenceTable.AzureActivity => reader.ReadAzureActivity(files, Filter(RelevanceFilters.AzureActivity(mode), prefilter)),
                    EvidenceTable.DeviceFileEvents => reader.ReadDeviceFileEvents(files, Filter(RelevanceFilters.DeviceFileEvents(mode), prefilter)),
                    EvidenceTable.DeviceEvents => reader.ReadDeviceEvents(files, Filter(RelevanceFilters.DeviceEvents(mode), prefilter)),
                    _ => reader.ReadDeviceProcessEvents(files, Filter(RelevanceFilters.DeviceProcessEvents(mode), prefilter)),
                };
                foreach (var r in records) result.Add(JsonSerializer.Serialize(r, r.GetType()));
            }
            catch (EvidenceException ex)
            {
                result.Add("error: " + ex.Message);
            }
            result.AddRange(log.Rejected.Select(e => "rejected: " + e));
            result.AddRange(reader.Statistics.Select(s => $"stats: {s.Read} {s.Used} {s.Filtered} {s.Rejected} {s.InvalidAdditionalFields}"));
            return result;
        }

        private static EvidenceFilter<T> Filter<T>(EvidenceFilter<T> filter, bool prefilter) where T : class
        {
            Assert.NotNull(filter.Prefilter);
            return prefilter ? filter : new EvidenceFilter<T>(filter.Keep);
        }

        private static EvidenceTable TableOf(string path)
        {
            try
            {
                var files = new EvidenceReader(new CollectingLog()).Resolve(new[] { path });
                return files.Count == 1 ? files[0].Table : EvidenceTable.Unknown;
            }
            catch (EvidenceException)
            {
                return EvidenceTable.Unknown;
            }
        }

        /// <summary>Every file case of the hostile corpus (generated ones too: gzip, UTF-16, cut copies), and its good files.</summary>
        internal static IEnumerable<string> HostileFiles(string folder)
        {
            var files = new List<string>();
            foreach (var c in HostileCorpus.Cases)
            {
                if (c.Generate?.As == "directory" || c.Generate?.As == HostileCorpus.PermissionCase) continue;
                files.Add(HostileCorpus.Materialize(c, folder, withGoodFiles: false));
            }
            files.AddRange(Directory.EnumerateFiles(Path.Combine(HostileCorpus.Dir, "good")).OrderBy(f => f, StringComparer.Ordinal));
            return files;
        }

        internal static bool IsCsv(string path)
        {
            try
            {
                using var source = RowSources.Open(path, new CollectingLog());
                return source is CsvRowSource;
            }
            catch (EvidenceException)
            {
                return false;
            }
        }

        internal static IEnumerable<string> SampleCsvFiles() =>
            Directory.EnumerateFiles(Fixtures.SamplesDir(), "*.csv").OrderBy(f => f, StringComparer.Ordinal);
    }
}
