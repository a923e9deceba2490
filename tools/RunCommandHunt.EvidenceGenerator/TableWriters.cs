using System;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace RunCommandHunt.EvidenceGenerator
{
    internal enum OutputFormat { Csv, Jsonl, LaApi }

    /// <summary>Streams the rows of one table to one file.</summary>
    internal abstract class TableWriter : IDisposable
    {
        private readonly Stream _file;
        private readonly Stream? _gzip;
        protected readonly TextWriter Out;

        protected TableWriter(string path, TableSchema schema, bool gzip)
        {
            Path = path;
            Schema = schema;
            _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            // Fastest: at 1M rows the default level costs more than all the generating.
            _gzip = gzip ? new GZipStream(_file, CompressionLevel.Fastest, leaveOpen: true) : null;
            Out = new StreamWriter(_gzip ?? _file, new UTF8Encoding(false), 1 << 16);
        }

        public string Path { get; }
        public TableSchema Schema { get; }
        public long Rows { get; private set; }

        public static string FileName(TableSchema schema, OutputFormat format, bool gzip)
        {
            string ext = format switch { OutputFormat.Csv => ".csv", OutputFormat.Jsonl => ".jsonl", _ => ".json" };
            return schema.Name + ext + (gzip ? ".gz" : "");
        }

        public static TableWriter Create(string directory, TableSchema schema, OutputFormat format, bool gzip)
        {
            string path = System.IO.Path.Combine(directory, FileName(schema, format, gzip));
            return format switch
            {
                OutputFormat.Csv => new CsvTableWriter(path, schema, gzip),
                OutputFormat.Jsonl => new JsonLinesTableWriter(path, schema, gzip),
                _ => new QueryApiTableWriter(path, schema, gzip),
            };
        }

        public void Write(Row row)
        {
            if (row.Schema != Schema) throw new ArgumentException($"A {row.Schema.Name} row cannot go to {Schema.Name}.");
            WriteRow(row.Values);
            Rows++;
        }

        protected abstract void WriteRow(object?[] values);
        protected virtual void WriteFooter() { }

        public void Dispose()
        {
            WriteFooter();
            Out.Dispose();
            _gzip?.Dispose();
            _file.Dispose();
        }
    }

    /// <summary>RFC 4180: header row, CRLF, fields quoted only when they hold a comma, quote or line break;
    /// datetimes ISO 8601 UTC with 7 fractional digits; dynamic columns as JSON text.</summary>
    internal sealed class CsvTableWriter : TableWriter
    {
        public CsvTableWriter(string path, TableSchema schema, bool gzip) : base(path, schema, gzip)
        {
            for (int i = 0; i < schema.Columns.Count; i++)
            {
                if (i > 0) Out.Write(',');
                WriteField(schema.Columns[i].Name);
            }
            Out.Write("\r\n");
        }

        protected override void WriteRow(object?[] values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (i > 0) Out.Write(',');
                switch (values[i])
                {
                    case null: break;
                    case string s: WriteField(s); break;
                    case DateTime t: Out.Write(Formats.Iso7(t)); break;
                    case long l: Out.Write(Formats.Long(l)); break;
                    default: throw new InvalidOperationException($"Unexpected value type {values[i]!.GetType()}.");
                }
            }
            Out.Write("\r\n");
        }

        private void WriteField(string s)
        {
            if (s.AsSpan().IndexOfAny(",\"\r\n") < 0) { Out.Write(s); return; }
            Out.Write('"');
            Out.Write(s.Replace("\"", "\"\""));
            Out.Write('"');
        }
    }

    /// <summary>One JSON object per line, every column present. Dynamic columns are nested JSON (null when
    /// empty), as a typed export would carry them; string columns that hold JSON stay strings.</summary>
    internal sealed class JsonLinesTableWriter : TableWriter
    {
        private readonly string[] _keys;
        private readonly StringBuilder _line = new StringBuilder(2048);

        public JsonLinesTableWriter(string path, TableSchema schema, bool gzip) : base(path, schema, gzip)
        {
            _keys = new string[schema.Columns.Count];
            for (int i = 0; i < _keys.Length; i++) _keys[i] = JsonText.Quote(schema.Columns[i].Name) + ":";
        }

        protected override void WriteRow(object?[] values)
        {
            _line.Clear().Append('{');
            for (int i = 0; i < values.Length; i++)
            {
                if (i > 0) _line.Append(',');
                _line.Append(_keys[i]);
                AppendValue(_line, Schema.Columns[i], values[i]);
            }
            _line.Append("}\n");
            Out.Write(_line);
        }

        private static void AppendValue(StringBuilder sb, Column column, object? value)
        {
            switch (value)
            {
                case null: sb.Append(column.Kind == ColumnKind.String ? "\"\"" : "null"); break;
                case string s when column.Kind == ColumnKind.Dynamic: sb.Append(s.Length == 0 ? "null" : s); break;
                case string s: JsonText.AppendString(sb, s); break;
                case DateTime t: sb.Append('"').Append(Formats.Iso7(t)).Append('"'); break;
                case long l: sb.Append(Formats.Long(l)); break;
                default: throw new InvalidOperationException($"Unexpected value type {value.GetType()}.");
            }
        }
    }

    /// <summary>The Log Analytics query API response: {"tables":[{"name":"PrimaryResult","columns":[...],"rows":[[...]]}]}.
    /// Datetimes with trailing zeros trimmed, dynamic values as JSON-encoded strings, longs as numbers.</summary>
    internal sealed class QueryApiTableWriter : TableWriter
    {
        private readonly StringBuilder _line = new StringBuilder(2048);
        private bool _firstRow = true;

        public QueryApiTableWriter(string path, TableSchema schema, bool gzip) : base(path, schema, gzip)
        {
            var sb = new StringBuilder("{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[");
            for (int i = 0; i < schema.Columns.Count; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append(new JsonObject().Add("name", schema.Columns[i].Name).Add("type", schema.Columns[i].QueryApiType));
            }
            sb.Append("],\"rows\":[");
            Out.Write(sb);
        }

        protected override void WriteRow(object?[] values)
        {
            _line.Clear();
            _line.Append(_firstRow ? "\n[" : ",\n[");
            _firstRow = false;
            for (int i = 0; i < values.Length; i++)
            {
                if (i > 0) _line.Append(',');
                switch (values[i])
                {
                    case null: _line.Append(Schema.Columns[i].Kind is ColumnKind.Long or ColumnKind.DateTime ? "null" : "\"\""); break;
                    case string s: JsonText.AppendString(_line, s); break;
                    case DateTime t: _line.Append('"').Append(Formats.IsoTrimmed(t)).Append('"'); break;
                    case long l: _line.Append(Formats.Long(l)); break;
                    default: throw new InvalidOperationException($"Unexpected value type {values[i]!.GetType()}.");
                }
            }
            _line.Append(']');
            Out.Write(_line);
        }

        protected override void WriteFooter() => Out.Write("\n]}]}\n");
    }
}
