using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CsCheck;
using RunCommandHunt.Engine.Readers.Formats;
using RunCommandHunt.Engine.Vectorized;
using Xunit;
using static RunCommandHunt.Engine.Tests.Readers.PrefilterTests;

namespace RunCommandHunt.Engine.Tests.Readers
{
    /// <summary>
    /// The vectorised structural index (RunCommandHunt.Engine.Vectorized) changes nothing the reader gives: every row,
    /// value, rejection and line number as the general parser has them (on random text full of broken quoting: in
    /// PrefilterTests), on clean CSV (where every row must come from the index, or the test would prove nothing), with
    /// quoted line breaks and wrong field counts, across chunk and buffer ends, with other delimiters; and its masks are
    /// those of a byte-by-byte model, with either vector width.
    /// </summary>
    public class CsvIndexTests
    {
        // One field as an export writes it: plain, empty, or quoted (delimiters, doubled quotes, non-ASCII inside).
        private static Gen<string> Field(char delimiter, bool lineBreaks) => Gen.Frequency(
            (6, Gen.Char["abcxyz0123456789-. "].Array[0, 12].Select(c => new string(c))),
            (2, Gen.Const("")),
            (3, Gen.Char[(lineBreaks ? "\r\n" : "") + "ab \"{}:" + delimiter + "\u00e9"].Array[0, 90].Select(c => "\"" + new string(c).Replace("\"", "\"\"") + "\"")));

        private static readonly Gen<string> LineBreak = Gen.OneOf(Gen.Const("\n"), Gen.Const("\r\n"), Gen.Const("\r"));

        /// <summary>A header of 1 to 12 columns and rows of as many fields (with wrongCounts, sometimes one fewer or
        /// more: rejected), each ended by a line break. Wide rows fill the indexer's four-at-a-time stores to the
        /// last column.</summary>
        private static Gen<(string Header, string Body)> CleanCsv(char delimiter, bool lineBreaks, bool wrongCounts) =>
            Gen.Int[1, 12].SelectMany(columns =>
                Gen.Select(Gen.Int[wrongCounts ? Math.Max(1, columns - 1) : columns, wrongCounts ? columns + 1 : columns].SelectMany(n => Field(delimiter, lineBreaks).Array[n]), LineBreak,
                        (fields, end) => string.Join(delimiter.ToString(), fields) + end)
                    .Array[1, 40]
                    .Select(rows => (string.Join(delimiter.ToString(), Enumerable.Range(0, columns).Select(c => "C" + c)) + "\n", string.Concat(rows))));

        [Fact]
        public void Rows_WhenCleanCsvIndexed_ShouldAllComeFromTheIndex()
        {
            // No line break inside quotes, three fields each, every row ended: the index takes every row.
            Gen.Select(CleanCsv(',', lineBreaks: false, wrongCounts: false), Gen.Int[64, 400]).Sample((csv, buffer) =>
            {
                using var dir = new TempDir();
                // A lone CR at the very end is a row end only the general parser can tell (the index wants the next byte).
                var path = dir.Write("t.csv", csv.Header + csv.Body + (csv.Body.EndsWith("\r") ? "\n" : ""), new UTF8Encoding(false));
                var general = ParseAll(path, CsvParser.General, buffer);
                var indexed = ParseAll(path, CsvParser.Indexed, 1 << 20, out long fromIndex);
                Assert.Equal(general, indexed);
                Assert.Equal(general, ParseAll(path, CsvParser.Indexed, buffer));
                Assert.Equal(general.Count, fromIndex);
            }, iter: 1500);
        }

        [Fact]
        public void Rows_WhenQuotedLineBreaksAndWrongFieldCounts_ShouldReadAsTheGeneralParser()
        {
            Gen.Select(CleanCsv(',', lineBreaks: true, wrongCounts: true), Gen.Int[64, 400]).Sample((csv, buffer) =>
            {
                using var dir = new TempDir();
                var path = dir.Write("t.csv", csv.Header + csv.Body, new UTF8Encoding(false));
                var general = ParseAll(path, CsvParser.General, buffer);
                Assert.Equal(general, ParseAll(path, CsvParser.Indexed, buffer));
                Assert.Equal(general, ParseAll(path, CsvParser.Indexed, 1 << 20));
            }, iter: 1500);
        }

        [Theory]
        [InlineData(';')]
        [InlineData('\t')]
        public void Rows_WhenOtherDelimiter_ShouldComeFromTheIndex(char delimiter)
        {
            Gen.Select(CleanCsv(delimiter, lineBreaks: false, wrongCounts: false), Gen.Int[64, 400]).Sample((csv, buffer) =>
            {
                using var dir = new TempDir();
                var path = dir.Write("t.csv", $"sep={delimiter}\n" + csv.Header + csv.Body + (csv.Body.EndsWith("\r") ? "\n" : ""), new UTF8Encoding(false));
                var general = ParseAll(path, CsvParser.General, buffer);
                Assert.Equal(general, ParseAll(path, CsvParser.Indexed, 1 << 20, out long fromIndex));
                Assert.Equal(general.Count, fromIndex);
            }, iter: 300);
        }

        [Fact]
        public void Rows_WhenLongerThanChunksAndBuffers_ShouldReadAsTheGeneralParser()
        {
            // Rows of 1 to 150 KB: over the 16 KB chunk, the 64 KB the masks first hold (they move and grow), and the
            // 100 KB buffer (refilled, the index starting again); a bad quote near the end of one.
            var random = new Random(7);
            var text = new StringBuilder("A,B,C\r\n");
            int rows = 0;
            foreach (int size in new[] { 1000, 20000, 70000, 150000, 300, 16384, 16383, 65536, 5, 99000 })
            {
                var json = new string('x', size / 2) + "\"\"k\"\":1" + new string('y', size / 2);
                text.Append("a").Append(rows).Append(",\"").Append(json).Append("\",").Append(random.Next()).Append("\r\n");
                rows++;
                for (int i = 0; i < 50; i++, rows++) text.Append("r").Append(rows).Append(",\"q,\"\"x\"\"\",z\r\n");
            }
            text.Append("bad,\"ab\"c,z\r\nlast,1,2\r\n");
            using var dir = new TempDir();
            var path = dir.Write("long.csv", text.ToString(), new UTF8Encoding(false));
            foreach (int buffer in new[] { 100_000, 1 << 20 })
            {
                var general = ParseAll(path, CsvParser.General, buffer);
                Assert.Equal(rows + 2, general.Count);
                Assert.Equal(general, ParseAll(path, CsvParser.Indexed, buffer, out long fromIndex));
                // Only the bad row is parsed row by row (a row cut by the buffer's end is indexed again after the refill).
                Assert.Equal(rows + 1, fromIndex);
            }
        }

        [Fact]
        public void Index_WhenFileSmallerThanItsThreshold_ShouldNotBeUsed()
        {
            using var dir = new TempDir();
            var path = dir.Write("t.csv", "A,B,C\n" + string.Concat(Enumerable.Repeat("1,\"x,y\",3\n", 50)), new UTF8Encoding(false));
            long size = new System.IO.FileInfo(path).Length;
            foreach (var (threshold, indexed) in new[] { (size + 1, false), (size, true), (1L << 20, false) })
            {
                using var source = new CsvRowSource(EvidenceStream.Open(path)) { IndexMinBytes = threshold };
                var needed = new bool[3];
                var values = new string?[3];
                int rows = 0;
                while (source.Next(needed, values, new RowOutcome()) == RowStatus.Row) rows++;
                Assert.Equal(50, rows);
                Assert.Equal(indexed, source.Indexed);
                Assert.Equal(indexed ? 50 : 0, source.RowsFromIndex);
            }
        }

        [Theory]
        [InlineData("0", true)]
        [InlineData(" off ", true)]
        [InlineData("OFF", true)]
        [InlineData("1", false)]
        [InlineData("", false)]
        [InlineData(null, false)]
        public void Switch_ShouldTurnTheIndexOffOnlyWhenSetTo0OrOff(string? value, bool off) =>
            Assert.Equal(off, CsvIndexer.IsSwitchOff(value));

        // ------------------------------------------------------------------ the masks

        [Fact]
        public unsafe void Index_ShouldGiveTheMasksOfTheByteModel()
        {
            Gen<byte> Bytes(int quotes) => Gen.Frequency((8, Gen.Byte[(byte)'a', (byte)'e']), (3, Gen.Const((byte)',')), (quotes, Gen.Const((byte)'"')),
                (1, Gen.Const((byte)'\n')), (1, Gen.Const((byte)'\r')), (1, Gen.Const((byte)0)), (1, Gen.Const((byte)0xC3)));
            // Dense quotes, and rare ones: whole words without a quote take the kernel's short path.
            var text = Gen.OneOf(Bytes(3).Array[1, 700], Gen.Select(Bytes(0).Array[1, 300], Bytes(3).Array[0, 6], Bytes(0).Array[1, 300], (a, b, c) => a.Concat(b).Concat(c).ToArray()));
            Gen.Select(text, Gen.Int[1, 3], Gen.Bool, Gen.Bool).Sample((text, chunkWords, narrow, startInQuotes) =>
            {
                var expected = Model(text, (byte)',', startInQuotes);
                int words = (text.Length + 63) / 64;
                ulong inQuotes = startInQuotes ? ~0UL : 0, opener = startInQuotes ? 0UL : 1;
                fixed (byte* t = text)
                {
                    // In chunks, as the indexer makes them: the quote state and the last byte's follower carry over.
                    var s = new ulong[words]; var e = new ulong[words]; var x = new ulong[words];
                    fixed (ulong* ps = s, pe = e, px = x)
                    {
                        for (int w = 0; w < words; w += chunkWords)
                        {
                            int count = Math.Min(chunkWords, words - w);
                            VectorCsvIndexer.Index(t + w * 64, text.Length - w * 64, count, (byte)',', ref inQuotes, ref opener, ps + w, pe + w, px + w, narrow);
                        }
                    }
                    for (int w = 0; w < words; w++)
                    {
                        Assert.True(expected.Separators[w] == s[w], $"separators of word {w}: {Bits(expected.Separators[w])} expected, {Bits(s[w])}");
                        Assert.True(expected.RowEnds[w] == e[w], $"row ends of word {w}: {Bits(expected.RowEnds[w])} expected, {Bits(e[w])}");
                        Assert.True(expected.Anomalies[w] == x[w], $"anomalies of word {w}: {Bits(expected.Anomalies[w])} expected, {Bits(x[w])}");
                    }
                }
            }, iter: 5000);
        }

        private static string Bits(ulong m) => Convert.ToString((long)m, 2).PadLeft(64, '0');

        /// <summary>The masks byte by byte, from their definition (see VectorCsvIndexer.Index).</summary>
        private static (ulong[] Separators, ulong[] RowEnds, ulong[] Anomalies) Model(byte[] text, byte delimiter, bool startInQuotes)
        {
            int words = (text.Length + 63) / 64;
            var sep = new ulong[words]; var end = new ulong[words]; var bad = new ulong[words];
            bool inside = startInQuotes;
            bool openerAllowed = !startInQuotes;
            for (int i = 0; i < text.Length; i++)
            {
                byte c = text[i];
                ulong bit = 1UL << (i & 63);
                int w = i >> 6;
                if (c == (byte)'"')
                {
                    inside = !inside;
                    if (inside && !openerAllowed) bad[w] |= bit; // opens where no field starts
                    if (!inside)
                    {
                        // closes: the next byte must end the field or double the quote; unknown at the end of the text
                        bool followed = i + 1 < text.Length && (text[i + 1] == delimiter || text[i + 1] == (byte)'\r' || text[i + 1] == (byte)'\n' || text[i + 1] == (byte)'"');
                        if (!followed) bad[w] |= bit;
                    }
                    openerAllowed = !inside;
                    continue;
                }
                if (c == delimiter && !inside) sep[w] |= bit;
                if ((c == (byte)'\r' || c == (byte)'\n') && !inside) end[w] |= bit;
                if ((c == (byte)'\r' || c == (byte)'\n') && inside) bad[w] |= bit;
                openerAllowed = !inside && (c == delimiter || c == (byte)'\r' || c == (byte)'\n');
            }
            return (sep, end, bad);
        }
    }
}
