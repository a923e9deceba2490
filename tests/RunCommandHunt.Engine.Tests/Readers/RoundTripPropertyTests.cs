using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;
using RunCommandHunt.Engine.Readers.Formats;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Readers
{
    /// <summary>Random rows written as CSV, JSON Lines and Log Analytics API JSON read back to the same records.</summary>
    public class RoundTripPropertyTests
    {
        // Fragments that stress quoting, delimiters, line breaks, escapes and non-ASCII (whole surrogate pairs).
        private static readonly Gen<string> Text = Gen.OneOfConst(
                "a", "Z", "0", " ", ",", ";", "\t", "\"", "'", "\n", "\r\n", "\r", "\\", "/", "é", "字", "😀", "{", "}", "[", ":", "<", "\u0001", "Get-Process")
            .Array[0, 8].Select(string.Concat);

        private static readonly Gen<DateTime> Time = Gen.Long[new DateTime(1900, 1, 1).Ticks, new DateTime(2100, 1, 1).Ticks]
            .Select(t => new DateTime(t, DateTimeKind.Utc));

        private static readonly Gen<long?> Long = Gen.Frequency((1, Gen.Const((long?)null)), (4, Gen.Long.Select(v => (long?)v)));

        /// <summary>A DeviceEvents row as the hunt sees it: AdditionalFields is Kusto-compact JSON with a Command.</summary>
        private sealed class Row
        {
            public DateTime Time;
            public string DeviceName = "", CommandLine = "", ActionType = "", Command = "", Other = "";
            public long? ProcessId;
            public string AdditionalFields => "{" + Quote("Command") + ":" + Quote(Command) + "," + Quote("Other") + ":[" + Quote(Other) + ",1.5,true,null]}";
        }

        private static readonly Gen<Row> RowGen =
            Gen.Select(Time, Text, Text, Text, Text, Text, Long, (t, d, c, a, cmd, o, id) =>
                new Row { Time = t, DeviceName = d, CommandLine = c, ActionType = a, Command = cmd, Other = o, ProcessId = id });

        private static readonly string[] Columns = { "TimeGenerated", "DeviceName", "ActionType", "InitiatingProcessCommandLine", "InitiatingProcessId", "AdditionalFields" };

        /// <summary>Minimal escaping as Kusto's tostring(dynamic) writes it, written independently of the engine.</summary>
        private static string Quote(string s)
        {
            var sb = new StringBuilder("\"");
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    default:
                        if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4"));
                        else sb.Append(c);
                        break;
                }
            }
            return sb.Append('"').ToString();
        }

        private static string TimeText(DateTime t, int style) => style switch
        {
            0 => t.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture),
            1 => t.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture),
            _ => new DateTimeOffset(t).ToOffset(TimeSpan.FromMinutes(330)).ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture),
        };

        private static string[] Cells(Row r, int timeStyle) => new[]
        {
            TimeText(r.Time, timeStyle), r.DeviceName, r.ActionType, r.CommandLine,
            r.ProcessId?.ToString(CultureInfo.InvariantCulture) ?? "", r.AdditionalFields,
        };

        private static string WriteCsv(IReadOnlyList<Row> rows, char delimiter, string newline, bool quoteAll, int timeStyle)
        {
            string Field(string v) =>
                quoteAll || v.IndexOfAny(new[] { delimiter, '"', '\r', '\n' }) >= 0 ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
            var sb = new StringBuilder();
            sb.Append(string.Join(delimiter.ToString(), Columns.Select(Field))).Append(newline);
            foreach (var r in rows) sb.Append(string.Join(delimiter.ToString(), Cells(r, timeStyle).Select(Field))).Append(newline);
            return sb.ToString();
        }

        private static readonly JsonWriterOptions Relaxed = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        private static string WriteJsonLines(IReadOnlyList<Row> rows, bool nested, int timeStyle)
        {
            var sb = new StringBuilder();
            foreach (var r in rows)
            {
                using var ms = new MemoryStream();
                using (var w = new Utf8JsonWriter(ms, Relaxed))
                {
                    w.WriteStartObject();
                    w.WriteString("TimeGenerated", TimeText(r.Time, timeStyle));
                    w.WriteString("DeviceName", r.DeviceName);
                    w.WriteString("ActionType", r.ActionType);
                    w.WriteString("InitiatingProcessCommandLine", r.CommandLine);
                    if (r.ProcessId.HasValue) w.WriteNumber("InitiatingProcessId", r.ProcessId.Value); else w.WriteNull("InitiatingProcessId");
                    w.WritePropertyName("AdditionalFields");
                    if (nested) w.WriteRawValue(r.AdditionalFields); else w.WriteStringValue(r.AdditionalFields);
                    w.WriteEndObject();
                }
                sb.Append(Encoding.UTF8.GetString(ms.ToArray())).Append('\n');
            }
            return sb.ToString();
        }

        private static string WriteLogAnalytics(IReadOnlyList<Row> rows, bool numbersAsText, int timeStyle)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteStartArray("tables");
                w.WriteStartObject();
                w.WriteString("name", "PrimaryResult");
                w.WriteStartArray("columns");
                foreach (var c in Columns)
                {
                    w.WriteStartObject();
                    w.WriteString("name", c);
                    w.WriteString("type", c == "InitiatingProcessId" ? "long" : c == "AdditionalFields" ? "dynamic" : "string");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("rows");
                foreach (var r in rows)
                {
                    w.WriteStartArray();
                    w.WriteStringValue(TimeText(r.Time, timeStyle));
                    w.WriteStringValue(r.DeviceName);
                    w.WriteStringValue(r.ActionType);
                    w.WriteStringValue(r.CommandLine);
                    if (!r.ProcessId.HasValue) w.WriteNullValue();
                    else if (numbersAsText) w.WriteStringValue(r.ProcessId.Value.ToString(CultureInfo.InvariantCulture));
                    else w.WriteNumberValue(r.ProcessId.Value);
                    w.WriteStringValue(r.AdditionalFields);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(ms.ToArray());
        }

        private static void AssertSameRecords(IReadOnlyList<Row> rows, string path)
        {
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            var records = reader.ReadDeviceEvents(reader.Resolve(new[] { path }, EvidenceTable.DeviceEvents)).ToList();
            Assert.Empty(log.Rejected);
            Assert.Equal(rows.Count, records.Count);
            for (int i = 0; i < rows.Count; i++)
            {
                var (r, d) = (rows[i], records[i]);
                Assert.Equal(r.Time.Ticks, d.TimeGenerated.Ticks);
                Assert.Equal(DateTimeKind.Utc, d.TimeGenerated.Kind);
                Assert.Equal(r.DeviceName, d.DeviceName);
                Assert.Equal(r.ActionType, d.ActionType);
                Assert.Equal(r.CommandLine, d.InitiatingProcessCommandLine);
                Assert.Equal(r.ProcessId, d.InitiatingProcessId);
                Assert.Equal(r.AdditionalFields, d.AdditionalFields);
                Assert.Equal(r.Command, d.Command);
            }
            Assert.True(records.Select(d => d.Origin.Line).SequenceEqual(records.Select(d => d.Origin.Line).OrderBy(l => l)));
        }

        [Fact]
        public void ReadDeviceEvents_WhenRandomRowsWrittenAsCsv_ShouldReadBackTheSameRecords()
        {
            using var dir = new TempDir();
            Gen.Select(RowGen.List[0, 12], Gen.OneOfConst(',', ';', '\t'), Gen.OneOfConst("\r\n", "\n"), Gen.Bool, Gen.Int[0, 2])
                .Sample((rows, delimiter, newline, quoteAll, timeStyle) =>
                {
                    var path = dir.Write($"DeviceEvents_{Guid.NewGuid():N}.csv", WriteCsv(rows, delimiter, newline, quoteAll, timeStyle));
                    AssertSameRecords(rows, path);
                }, iter: 300);
        }

        [Fact]
        public void ReadDeviceEvents_WhenRandomRowsWrittenAsJsonLines_ShouldReadBackTheSameRecords()
        {
            using var dir = new TempDir();
            Gen.Select(RowGen.List[1, 12], Gen.Bool, Gen.Int[0, 2]).Sample((rows, nested, timeStyle) =>
            {
                var path = dir.Write($"DeviceEvents_{Guid.NewGuid():N}.jsonl", WriteJsonLines(rows, nested, timeStyle));
                AssertSameRecords(rows, path);
            }, iter: 300);
        }

        [Fact]
        public void ReadDeviceEvents_WhenRandomRowsWrittenAsLogAnalyticsJson_ShouldReadBackTheSameRecords()
        {
            using var dir = new TempDir();
            Gen.Select(RowGen.List[0, 12], Gen.Bool, Gen.Int[0, 2]).Sample((rows, numbersAsText, timeStyle) =>
            {
                var path = dir.Write($"DeviceEvents_{Guid.NewGuid():N}.json", WriteLogAnalytics(rows, numbersAsText, timeStyle));
                AssertSameRecords(rows, path);
            }, iter: 300);
        }

        private static List<string> ReadRows(RowSource source)
        {
            var rows = new List<string>();
            var needed = Enumerable.Repeat(true, source.Columns.Count).ToArray();
            var values = new string?[source.Columns.Count];
            var outcome = new RowOutcome();
            RowStatus status;
            while ((status = source.Next(needed, values, outcome)) != RowStatus.End)
                rows.Add(status == RowStatus.Row
                    ? outcome.Line + ":" + string.Join("\u241F", values.Select(v => v ?? "<null>"))
                    : outcome.Line + ": rejected " + outcome.Column + " " + outcome.Reason);
            source.Dispose();
            return rows;
        }

        [Fact]
        public void CsvRowSource_WhenBufferIsTiny_ShouldParseExactlyAsWithALargeBuffer()
        {
            using var dir = new TempDir();
            Gen.Select(RowGen.List[0, 10], Gen.OneOfConst(',', ';'), Gen.OneOfConst("\r\n", "\n"), Gen.Bool, Gen.Int[64, 200])
                .Sample((rows, delimiter, newline, quoteAll, bufferChars) =>
                {
                    var text = WriteCsv(rows, delimiter, newline, quoteAll, 0);
                    var path = dir.Write($"rows_{Guid.NewGuid():N}.csv", text);
                    var expected = ReadRows(new CsvRowSource(EvidenceStream.Open(path)));
                    var actual = ReadRows(new CsvRowSource(EvidenceStream.Open(path), bufferChars, 1 << 20));
                    Assert.Equal(rows.Count, expected.Count);
                    Assert.Equal(expected, actual);
                }, iter: 300);
        }

        [Fact]
        public void JsonSources_WhenBufferIsTiny_ShouldParseExactlyAsWithALargeBuffer()
        {
            using var dir = new TempDir();
            Gen.Select(RowGen.List[1, 10], Gen.Bool, Gen.Int[64, 200]).Sample((rows, nested, bufferBytes) =>
            {
                var id = Guid.NewGuid().ToString("N");
                var la = dir.Write($"la_{id}.json", WriteLogAnalytics(rows, nested, 1));
                var jl = dir.Write($"jl_{id}.jsonl", WriteJsonLines(rows, nested, 1));
                var log = new CollectingLog();
                Assert.Equal(ReadRows(new JsonResponseRowSource(EvidenceStream.Open(la), log)),
                    ReadRows(new JsonResponseRowSource(EvidenceStream.Open(la), log, bufferBytes)));
                Assert.Equal(ReadRows(new JsonLinesRowSource(EvidenceStream.Open(jl))),
                    ReadRows(new JsonLinesRowSource(EvidenceStream.Open(jl), bufferBytes)));
                Assert.Empty(log.Warnings);
            }, iter: 200);
        }

        [Fact]
        public void CsvRowSource_WhenAQuoteSwallowsMoreThanTheRowLimit_ShouldRejectThatLineAndResume()
        {
            using var dir = new TempDir();
            var sb = new StringBuilder("TimeGenerated,DeviceName\n2023-06-09T10:00:00Z,\"vm-broken\n");
            for (int i = 0; i < 40; i++) sb.Append($"2023-06-09T10:00:{i:00}Z,vm{i}\n");
            var path = dir.Write("rows.csv", sb.ToString());
            var rows = ReadRows(new CsvRowSource(EvidenceStream.Open(path), 64, 256));
            Assert.StartsWith("2: rejected", rows[0]);
            Assert.Contains("quote is probably not closed", rows[0]);
            // Reading resumes on line 3; rows whose text was swallowed are back.
            Assert.Equal("3:2023-06-09T10:00:00Z\u241Fvm0", rows[1]);
            Assert.Equal(41, rows.Count);
        }
    }
}
