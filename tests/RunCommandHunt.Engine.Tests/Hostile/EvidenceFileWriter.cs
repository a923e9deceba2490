using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using RunCommandHunt.Engine.Model;

namespace RunCommandHunt.Engine.Tests.Hostile
{
    /// <summary>The evidence formats a test writes files in.</summary>
    public enum EvidenceFormat { Csv, JsonLines, LogAnalyticsJson }

    /// <summary>
    /// Writes evidence records as CSV, JSON Lines and Log Analytics API JSON with its own small writers: the tests must
    /// not trust the code under test to produce their input. Each table is a list of columns and a cell function.
    /// </summary>
    public static class EvidenceFileWriter
    {
        /// <summary>A cell: text, a whole number (long), a datetime, or null.</summary>
        public sealed class Table
        {
            public Table(string name, string[] columns, IEnumerable<object?[]> rows) { Name = name; Columns = columns; Rows = rows.ToList(); }
            public string Name { get; }
            public string[] Columns { get; }
            public List<object?[]> Rows { get; }
        }

        public static Table AzureActivity(IEnumerable<AzureActivityRecord> rows) => new Table("AzureActivity",
            new[] { "TimeGenerated", "OperationNameValue", "ActivityStatusValue", "Authorization", "Caller", "CallerIpAddress", "CorrelationId" },
            rows.Select(a => new object?[] { a.TimeGenerated, a.OperationNameValue, a.ActivityStatusValue, a.Authorization, a.Caller, a.CallerIpAddress, a.CorrelationId }));

        public static Table DeviceFileEvents(IEnumerable<DeviceFileEventRecord> rows) => new Table("DeviceFileEvents",
            new[] { "TimeGenerated", "DeviceName", "ActionType", "FileName", "FolderPath", "FileSize", "InitiatingProcessFileName",
                "InitiatingProcessAccountName", "InitiatingProcessAccountDomain", "InitiatingProcessFolderPath", "InitiatingProcessId" },
            rows.Select(f => new object?[] { f.TimeGenerated, f.DeviceName, f.ActionType, f.FileName, f.FolderPath, f.FileSize, f.InitiatingProcessFileName,
                f.InitiatingProcessAccountName, f.InitiatingProcessAccountDomain, f.InitiatingProcessFolderPath, f.InitiatingProcessId }));

        public static Table DeviceEvents(IEnumerable<DeviceEventRecord> rows) => new Table("DeviceEvents",
            new[] { "TimeGenerated", "DeviceName", "ActionType", "InitiatingProcessCommandLine", "InitiatingProcessFileName", "InitiatingProcessId", "AdditionalFields" },
            rows.Select(e => new object?[] { e.TimeGenerated, e.DeviceName, e.ActionType, e.InitiatingProcessCommandLine, e.InitiatingProcessFileName,
                e.InitiatingProcessId, e.AdditionalFields }));

        /// <summary>Writes <paramref name="table"/> to <paramref name="path"/>. <paramref name="style"/> varies what each
        /// format allows: datetime offsets and trimmed fractions, numbers as strings, empty strings as null.</summary>
        public static void Write(string path, Table table, EvidenceFormat format, int style = 0)
        {
            string text = format switch
            {
                EvidenceFormat.Csv => Csv(table, style),
                EvidenceFormat.JsonLines => JsonLines(table, style),
                _ => LogAnalytics(table, style),
            };
            File.WriteAllText(path, text, new UTF8Encoding(false));
        }

        public static string Extension(EvidenceFormat format) => format == EvidenceFormat.Csv ? ".csv" : format == EvidenceFormat.JsonLines ? ".jsonl" : ".json";

        private static string Csv(Table t, int style)
        {
            var sb = new StringBuilder();
            string newline = style % 2 == 0 ? "\r\n" : "\n";
            sb.Append(string.Join(",", t.Columns.Select(CsvField))).Append(newline);
            foreach (var row in t.Rows)
                sb.Append(string.Join(",", row.Select(v => CsvField(Text(v, style, trimFraction: false, offset: false))))).Append(newline);
            return sb.ToString();
        }

        private static string CsvField(string s)
        {
            bool quote = s.Length > 0 && (s.IndexOfAny(new[] { ',', '"', '\r', '\n' }) >= 0 || s[0] == ' ' || s[s.Length - 1] == ' ');
            return quote ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
        }

        private static string JsonLines(Table t, int style)
        {
            var sb = new StringBuilder();
            foreach (var row in t.Rows)
            {
                sb.Append('{');
                for (int i = 0; i < t.Columns.Length; i++)
                {
                    if (i > 0) sb.Append(',');
                    sb.Append(Json(t.Columns[i])).Append(':').Append(JsonValue(row[i], style, offset: style % 3 == 1));
                }
                sb.Append("}\n");
            }
            return sb.ToString();
        }

        private static string LogAnalytics(Table t, int style)
        {
            var sb = new StringBuilder("{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[");
            sb.Append(string.Join(",", t.Columns.Select(c => "{\"name\":" + Json(c) + ",\"type\":\"" +
                (c == "TimeGenerated" ? "datetime" : c == "FileSize" || c == "InitiatingProcessId" ? "long" : c == "AdditionalFields" ? "dynamic" : "string") + "\"}")));
            sb.Append("],\"rows\":[\n");
            sb.Append(string.Join(",\n", t.Rows.Select(row => "[" + string.Join(",", row.Select(v => JsonValue(v, style, offset: false))) + "]")));
            return sb.Append("\n]}]}").ToString();
        }

        private static string JsonValue(object? v, int style, bool offset)
        {
            switch (v)
            {
                case null: return "null";
                case long l: return style % 2 == 1 ? Json(l.ToString(CultureInfo.InvariantCulture)) : l.ToString(CultureInfo.InvariantCulture);
                case string s when s.Length == 0 && style % 4 == 3: return "null";
                default: return Json(Text(v, style, trimFraction: true, offset));
            }
        }

        /// <summary>A cell as text: datetimes as ISO 8601 at 100 ns, in UTC or (offset) at +05:30 / -08:00.</summary>
        private static string Text(object? v, int style, bool trimFraction, bool offset)
        {
            switch (v)
            {
                case null: return "";
                case DateTime d:
                    if (offset)
                    {
                        var local = new DateTimeOffset(d.Ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(style % 2 == 0 ? 330 : -480));
                        return local.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz", CultureInfo.InvariantCulture);
                    }
                    return d.ToString(trimFraction ? "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'FFFFFFF'Z'" : "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'", CultureInfo.InvariantCulture);
                case long l: return l.ToString(CultureInfo.InvariantCulture);
                default: return (string)v;
            }
        }

        /// <summary>A JSON string with RFC 8259 escaping (quote, backslash, control characters).</summary>
        public static string Json(string s)
        {
            var sb = new StringBuilder("\"");
            foreach (char c in s)
            {
                if (c == '"') sb.Append("\\\"");
                else if (c == '\\') sb.Append("\\\\");
                else if (c == '\n') sb.Append("\\n");
                else if (c == '\r') sb.Append("\\r");
                else if (c == '\t') sb.Append("\\t");
                else if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                else sb.Append(c);
            }
            return sb.Append('"').ToString();
        }
    }
}
