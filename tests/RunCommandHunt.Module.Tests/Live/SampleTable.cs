using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace RunCommandHunt.Module.Tests.Live
{
    /// <summary>
    /// One table of the bundled samples (samples/*.csv), read here rather than by the engine: the tests must not load
    /// the module's assemblies, and the fake services need the rows as the services hold them.
    /// </summary>
    internal sealed class SampleTable
    {
        private static readonly HashSet<string> LongColumns = new HashSet<string>(StringComparer.Ordinal)
        {
            "FileSize", "InitiatingProcessId", "InitiatingProcessFileSize", "InitiatingProcessLogonId", "InitiatingProcessParentId",
            "ProcessId", "LogonId", "RemotePort", "LocalPort", "ReportId", "RequestSourcePort",
        };

        private static readonly HashSet<string> DynamicColumns = new HashSet<string>(StringComparer.Ordinal)
        {
            "AdditionalFields", "Authorization_d", "Properties_d",
        };

        /// <summary>The day the samples were generated for (their rows lie between 07:30 and 14:30 UTC).</summary>
        public static readonly DateTime SampleDay = new DateTime(2025, 6, 2, 0, 0, 0, DateTimeKind.Utc);

        public SampleTable(string name, IReadOnlyList<string> columns, List<string[]> rows)
        {
            Name = name;
            Columns = columns;
            Rows = rows;
        }

        public string Name { get; }
        public IReadOnlyList<string> Columns { get; }
        public List<string[]> Rows { get; }

        /// <summary>The three tables the hunt reads, from samples/.</summary>
        public static IReadOnlyList<SampleTable> LoadSamples() =>
            new[] { "AzureActivity", "DeviceFileEvents", "DeviceEvents" }.Select(Load).ToList();

        public static SampleTable Load(string name)
        {
            var path = Path.Combine(ModuleHost.Samples, name + ".csv");
            var records = Csv.Parse(File.ReadAllText(path), path);
            var header = records[0];
            var rows = records.Skip(1).ToList();
            for (int i = 0; i < rows.Count; i++)
            {
                if (rows[i].Length != header.Length)
                    throw new InvalidDataException($"{path}: record {i + 2} has {rows[i].Length} fields for {header.Length} columns.");
            }
            return new SampleTable(name, header, rows);
        }

        /// <summary>Log Analytics column type: datetime, long, dynamic or string.</summary>
        public string TypeOf(string column)
        {
            if (column == "TimeGenerated" || column == "Timestamp" || column == "EventSubmissionTimestamp"
                || column.EndsWith("CreationTime", StringComparison.Ordinal)) return "datetime";
            if (LongColumns.Contains(column)) return "long";
            if (DynamicColumns.Contains(column)) return "dynamic";
            return "string";
        }

        public int IndexOf(string column)
        {
            for (int i = 0; i < Columns.Count; i++) if (Columns[i] == column) return i;
            return -1;
        }

        /// <summary>Every datetime moved by <paramref name="delta"/>: the same evidence on another day.</summary>
        public SampleTable Shifted(TimeSpan delta)
        {
            var times = Enumerable.Range(0, Columns.Count).Where(i => TypeOf(Columns[i]) == "datetime").ToList();
            var rows = Rows.Select(r =>
            {
                var copy = (string[])r.Clone();
                foreach (var i in times)
                    if (copy[i].Length > 0) copy[i] = Format(ParseTime(copy[i]) + delta);
                return copy;
            }).ToList();
            return new SampleTable(Name, Columns, rows);
        }

        /// <summary>The rows whose <paramref name="timeColumn"/> lies in [start, end), as the services apply a timespan.</summary>
        public IEnumerable<string[]> RowsIn(string timeColumn, DateTime start, DateTime end)
        {
            int t = IndexOf(timeColumn);
            if (t < 0) throw new InvalidOperationException($"{Name} has no column {timeColumn}.");
            return Rows.Where(r => r[t].Length > 0 && ParseTime(r[t]) >= start && ParseTime(r[t]) < end);
        }

        public static DateTime ParseTime(string text) =>
            DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

        public static string Format(DateTime value) =>
            value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

        /// <summary>The table written back as CSV (for an offline hunt over shifted evidence).</summary>
        public string ToCsv()
        {
            var sb = new StringBuilder();
            sb.Append(string.Join(",", Columns.Select(Csv.Quote))).Append("\r\n");
            foreach (var r in Rows) sb.Append(string.Join(",", r.Select(Csv.Quote))).Append("\r\n");
            return sb.ToString();
        }
    }

    /// <summary>RFC 4180: fields separated by commas, quoted when they hold a comma, quote or line break.</summary>
    internal static class Csv
    {
        public static List<string[]> Parse(string text, string source)
        {
            var records = new List<string[]>();
            var fields = new List<string>();
            var field = new StringBuilder();
            int i = 0, line = 1;
            bool quoted = false, fieldStarted = false;
            while (i < text.Length)
            {
                char c = text[i];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; continue; }
                        quoted = false; i++; continue;
                    }
                    if (c == '\n') line++;
                    field.Append(c); i++; continue;
                }
                switch (c)
                {
                    case '"':
                        if (field.Length > 0) throw new InvalidDataException($"{source}: line {line}, column {field.Length + 1}: a quote inside an unquoted field.");
                        quoted = true; fieldStarted = true; i++; break;
                    case ',':
                        fields.Add(field.ToString()); field.Clear(); fieldStarted = true; i++; break;
                    case '\r':
                        i++; break;
                    case '\n':
                        fields.Add(field.ToString()); field.Clear();
                        records.Add(fields.ToArray()); fields.Clear();
                        fieldStarted = false; line++; i++; break;
                    default:
                        field.Append(c); fieldStarted = true; i++; break;
                }
            }
            if (quoted) throw new InvalidDataException($"{source}: line {line}: a quoted field is not closed.");
            if (fieldStarted || field.Length > 0 || fields.Count > 0)
            {
                fields.Add(field.ToString());
                records.Add(fields.ToArray());
            }
            return records;
        }

        public static string Quote(string value) =>
            value.IndexOfAny(new[] { ',', '"', '\r', '\n' }) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
