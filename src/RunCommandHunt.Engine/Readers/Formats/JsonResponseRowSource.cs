using System;
using System.Collections.Generic;
using System.Text.Json;
using RunCommandHunt.Engine.Diagnostics;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>
    /// Streamed JSON documents: an array of row objects; the Log Analytics query API response
    /// {"tables":[{"columns":[..],"rows":[[..]]}]}; Defender advanced hunting responses, Graph
    /// {"schema":[..],"results":[{..}]} and legacy {"Schema":[..],"Results":[{..}]} (names case-insensitive).
    /// A response that carries an "error" object is never read as complete.
    /// </summary>
    internal sealed class JsonResponseRowSource : RowSource
    {
        private enum Mode { Array, LogAnalytics, Hunting }

        private readonly JsonCursor cursor;
        private readonly IHuntLog log;
        private readonly Mode mode;
        private readonly JsonCursor.ValueHandler rowHandler;
        private JsonRowReader rowReader = null!;
        private bool inRows;
        private long rowNumber;
        private string tableName = "";
        private string? pendingError;
        // An "error" before the tables: kept until the table is known, so that a directory member of another
        // table can still be skipped; thrown before any row is used.
        private EvidenceException? responseError;

        // The first row when it had to be read to learn the columns.
        private string?[]? pending;
        private long pendingLine;

        // Per-row arguments for the cached handler (no closure per row).
        private bool[] rowNeeded = Array.Empty<bool>();
        private string?[] rowValues = Array.Empty<string?>();
        private string? rowError;

        public JsonResponseRowSource(EvidenceStream stream, IHuntLog log, int bufferBytes = 1 << 20) : base(stream)
        {
            this.log = log;
            cursor = new JsonCursor(stream.OpenUtf8(), bufferBytes);
            rowHandler = HandleRow;
            try
            {
                if (!cursor.Read()) throw Unreadable(0, "the file holds no JSON");
                if (cursor.Token == JsonTokenType.StartArray)
                {
                    mode = Mode.Array;
                    Format = Describe(EvidenceFormats.JsonArray);
                    inRows = true;
                    LearnColumnsFromFirstObject();
                    return;
                }
                if (cursor.Token != JsonTokenType.StartObject)
                    throw Unreadable(cursor.TokenLine, $"expected a JSON object or array, found {JsonRowReader.Describe(cursor.Token)}");

                ColumnSet? columns = null;
                while (ReadRootProperty(out string name))
                {
                    if (Is(name, "tables"))
                    {
                        mode = Mode.LogAnalytics;
                        Format = Describe(EvidenceFormats.LogAnalyticsJson);
                        if (EnterFirstTable(out columns)) break;
                    }
                    else if (Is(name, "schema"))
                    {
                        mode = Mode.Hunting;
                        Format = Describe(name == "schema" ? EvidenceFormats.GraphHuntingJson : EvidenceFormats.HuntingApiJson);
                        columns = new ColumnSet(ReadColumnList());
                    }
                    else if (Is(name, "results"))
                    {
                        mode = Mode.Hunting;
                        Format = Describe(name == "results" ? EvidenceFormats.GraphHuntingJson : EvidenceFormats.HuntingApiJson);
                        Expect(JsonTokenType.StartArray, name);
                        inRows = true;
                        break;
                    }
                    else if (Is(name, "value") && columns == null)
                    {
                        // OData / Graph list responses and scripts' ConvertTo-Json @{ value = $rows }: an array of row objects.
                        mode = Mode.Hunting;
                        Format = Describe("JSON (value array)");
                        Expect(JsonTokenType.StartArray, name);
                        inRows = true;
                        break;
                    }
                    else if (Is(name, "error")) responseError = ReadError();
                    else if (!cursor.SkipValue()) break;
                }
                if (Format.Length == 0) Format = Describe("JSON");
                if (responseError != null && columns == null && !inRows) throw responseError;
                if (inRows && columns == null) LearnColumnsFromFirstObject();
                else if (columns != null) SetColumns(columns);
                if (cursor.Truncated) log.Warning($"{Path}: the JSON ends before it is closed (truncated file?)");
            }
            catch (JsonException ex)
            {
                throw Unreadable(cursor.Line, $"not valid JSON: {ex.Message}", ex);
            }
        }

        /// <summary>True when the response carries an "error" ahead of its rows.</summary>
        public bool HasResponseError => responseError != null;

        /// <summary>Scans a whole Log Analytics or hunting response for an "error" object (streaming), so that
        /// a partial result is refused before any of its rows is used.</summary>
        public void ThrowIfErrorResponse()
        {
            if (responseError != null) throw responseError;
            try
            {
                while (inRows || pending != null)
                {
                    pending = null;
                    if (!cursor.Read() || cursor.Token == JsonTokenType.EndArray) { inRows = false; break; }
                    if (!cursor.SkipValue()) { inRows = false; break; }
                }
                Drain(warn: false);
            }
            catch (JsonException ex)
            {
                throw Unreadable(cursor.Line, $"not valid JSON: {ex.Message}", ex);
            }
        }

        public override void AddColumns(IEnumerable<string> names)
        {
            if (mode == Mode.LogAnalytics) return;
            var extended = Extended(names);
            if (extended == null) return;
            if (pending != null) Array.Resize(ref pending, extended.Count);
            SetColumns(extended);
        }

        public override RowStatus Next(bool[] needed, string?[] values, RowOutcome outcome)
        {
            if (responseError != null) throw responseError;
            if (pending != null)
            {
                var first = pending;
                pending = null;
                for (int i = 0; i < needed.Length; i++) if (needed[i]) values[i] = first[i];
                if (pendingError != null)
                {
                    outcome.Reject(pendingLine, "", null, pendingError);
                    pendingError = null;
                    return RowStatus.Rejected;
                }
                outcome.Line = pendingLine;
                return RowStatus.Row;
            }
            if (pendingError != null)
            {
                outcome.Reject(pendingLine, "", null, pendingError);
                pendingError = null;
                return RowStatus.Rejected;
            }
            if (!inRows) return RowStatus.End;
            try
            {
                if (!cursor.Read() || cursor.Token == JsonTokenType.EndArray)
                {
                    inRows = false;
                    Drain(warn: true);
                    return RowStatus.End;
                }
                rowNumber++;
                long line = cursor.TokenLine;
                for (int i = 0; i < needed.Length; i++) if (needed[i]) values[i] = null;
                if (cursor.Token != JsonTokenType.StartObject && cursor.Token != JsonTokenType.StartArray)
                {
                    outcome.Reject(line, "", cursor.Text, $"row {rowNumber}: expected a row, found {JsonRowReader.Describe(cursor.Token)}");
                    return RowStatus.Rejected;
                }
                rowNeeded = needed;
                rowValues = values;
                rowError = null;
                if (!cursor.TryReadValue(rowHandler))
                {
                    inRows = false;
                    outcome.Reject(line, "", null, $"row {rowNumber}: the file ends inside this row (truncated file?)");
                    return RowStatus.Rejected;
                }
                if (rowError != null)
                {
                    outcome.Reject(line, "", null, $"row {rowNumber}: {rowError}");
                    return RowStatus.Rejected;
                }
                outcome.Line = line;
                return RowStatus.Row;
            }
            catch (JsonException ex)
            {
                throw Unreadable(cursor.Line, $"not valid JSON: {ex.Message}", ex);
            }
        }

        private void HandleRow(ref Utf8JsonReader r)
        {
            rowError = mode == Mode.LogAnalytics
                ? rowReader.ReadArray(ref r, rowNeeded, rowValues)
                : rowReader.ReadObject(ref r, rowNeeded, rowValues);
        }

        private void SetColumns(ColumnSet columns)
        {
            Columns = columns;
            rowReader = new JsonRowReader(columns);
        }

        /// <summary>Arrays of row objects and hunting results without a schema: the first object's property
        /// names are the columns; that row is kept for the first Next().</summary>
        private void LearnColumnsFromFirstObject()
        {
            var names = new List<string>();
            var values = new List<string?>();
            string? error = null;
            if (!cursor.Read() || cursor.Token == JsonTokenType.EndArray)
            {
                inRows = false;
                SetColumns(new ColumnSet(names));
                if (cursor.Token == JsonTokenType.EndArray) Drain(warn: true);
                return;
            }
            rowNumber = 1;
            pendingLine = cursor.TokenLine;
            if (cursor.Token != JsonTokenType.StartObject)
                throw Unreadable(pendingLine, $"expected row objects, found {JsonRowReader.Describe(cursor.Token)}");
            bool complete = cursor.TryReadValue((ref Utf8JsonReader r) =>
            {
                JsonRowReader.ReadNamesAndValues(ref r, names, values);
            });
            if (!complete)
            {
                inRows = false;
                error = "row 1: the file ends inside this row (truncated file?)";
                if (names.Count == 0) throw Unreadable(pendingLine, "the file ends inside the first row (truncated file?)");
            }
            SetColumns(new ColumnSet(names));
            pending = values.ToArray();
            pendingError = error;
        }

        /// <summary>Inside "tables": reads the first table up to its rows. True when positioned on the rows.</summary>
        private bool EnterFirstTable(out ColumnSet? columns)
        {
            columns = null;
            Expect(JsonTokenType.StartArray, "tables");
            if (!cursor.Read()) return false;
            if (cursor.Token == JsonTokenType.EndArray) return false;
            Expect(JsonTokenType.StartObject, "tables[0]");
            while (cursor.Read() && cursor.Token == JsonTokenType.PropertyName)
            {
                string name = cursor.Text ?? "";
                if (!cursor.Read()) return false;
                if (Is(name, "name")) tableName = cursor.Text ?? "";
                else if (Is(name, "columns")) columns = new ColumnSet(ReadColumnList());
                else if (Is(name, "rows"))
                {
                    if (columns == null) throw Unreadable(cursor.TokenLine, "the table's rows come before its columns");
                    Expect(JsonTokenType.StartArray, "rows");
                    inRows = true;
                    return true;
                }
                else if (!cursor.SkipValue()) return false;
            }
            return false;
        }

        /// <summary>[{"name":..,"type":..}] with names in any case.</summary>
        private List<string> ReadColumnList()
        {
            Expect(JsonTokenType.StartArray, "columns");
            var names = new List<string>();
            bool complete = cursor.TryReadValue((ref Utf8JsonReader r) =>
            {
                while (r.Read() && r.TokenType == JsonTokenType.StartObject)
                {
                    string? columnName = null;
                    while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                    {
                        bool isName = r.ValueTextEquals("name"u8) || r.ValueTextEquals("Name"u8) || r.ValueTextEquals("NAME"u8)
                            || r.ValueTextEquals("columnName"u8) || r.ValueTextEquals("ColumnName"u8);
                        r.Read();
                        if (isName && r.TokenType == JsonTokenType.String) columnName = KustoJson.Text(ref r);
                        else r.Skip();
                    }
                    names.Add(columnName ?? "");
                }
            });
            if (!complete) throw Unreadable(cursor.Line, "the file ends inside the column list (truncated file?)");
            return names;
        }

        /// <summary>After the rows: the rest of the document, for an "error" object and further tables.</summary>
        private void Drain(bool warn)
        {
            int extraTables = 0;
            while (cursor.Read())
            {
                if (cursor.Token == JsonTokenType.PropertyName && cursor.Depth == 1)
                {
                    string name = cursor.Text ?? "";
                    if (!cursor.Read()) break;
                    if (Is(name, "error")) throw ReadError();
                    if (!cursor.SkipValue()) break;
                }
                else if (cursor.Token == JsonTokenType.StartObject || cursor.Token == JsonTokenType.StartArray)
                {
                    if (mode == Mode.LogAnalytics && cursor.Token == JsonTokenType.StartObject && cursor.Depth == 2) extraTables++;
                    if (!cursor.SkipValue()) break;
                }
            }
            if (!warn) return;
            if (cursor.Truncated)
                log.Warning($"{Path}: the JSON ends before it is closed (truncated file?); rows after row {rowNumber} may be missing");
            if (extraTables > 0)
                log.Warning($"{Path}: the response has {extraTables} more table(s); only the first ({(tableName.Length > 0 ? tableName : "unnamed")}) was read");
        }

        private bool ReadRootProperty(out string name)
        {
            name = "";
            if (!cursor.Read()) return false;
            if (cursor.Token != JsonTokenType.PropertyName) return false;
            name = cursor.Text ?? "";
            return cursor.Read();
        }

        /// <summary>The cursor is on an "error" value: the exception that refuses the file, naming the code and message.</summary>
        private EvidenceException ReadError()
        {
            long line = cursor.TokenLine;
            string code = "", message = "", inner = "";
            if (cursor.Token == JsonTokenType.StartObject)
            {
                cursor.TryReadValue((ref Utf8JsonReader r) =>
                {
                    using (var doc = JsonDocument.ParseValue(ref r))
                    {
                        code = Property(doc.RootElement, "code");
                        message = Property(doc.RootElement, "message");
                        inner = InnerMessage(doc.RootElement);
                    }
                });
            }
            else message = cursor.Text ?? "";
            string detail = $"{(code.Length > 0 ? code + ": " : "")}{message}{(inner.Length > 0 && inner != message ? " (" + inner + ")" : "")}";
            bool partial = string.Equals(code, "PartialError", StringComparison.OrdinalIgnoreCase) || inRows || rowNumber > 0 || Columns.Count > 0;
            if (partial)
                return new EvidenceException(
                    $"{Path}: the query response carries an error, so its rows are incomplete: {detail}. Run the query again (a shorter time range keeps it under the API limits) and export the complete result.",
                    Path, line) { Reason = "PartialResult" };
            return new EvidenceException($"{Path}: the file is an error response, not query results: {detail}", Path, line) { Reason = "Unreadable" };
        }

        private static string Property(JsonElement e, string name)
        {
            if (e.ValueKind != JsonValueKind.Object) return "";
            foreach (var p in e.EnumerateObject())
                if (string.Equals(Fingerprinting.KustoJson.NameOf(p), name, StringComparison.OrdinalIgnoreCase))
                    return Fingerprinting.KustoJson.ToKustoString(p.Value);
            return "";
        }

        /// <summary>The most specific message: innererror chain, then the first detail.</summary>
        private static string InnerMessage(JsonElement e)
        {
            string found = "";
            var current = e;
            for (int depth = 0; depth < 8 && current.ValueKind == JsonValueKind.Object; depth++)
            {
                JsonElement next = default;
                bool hasNext = false;
                foreach (var p in current.EnumerateObject())
                {
                    var pname = Fingerprinting.KustoJson.NameOf(p);
                    if (string.Equals(pname, "innererror", StringComparison.OrdinalIgnoreCase)) { next = p.Value; hasNext = true; }
                    else if (string.Equals(pname, "details", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.Array && found.Length == 0)
                    {
                        foreach (var d in p.Value.EnumerateArray())
                        {
                            string m = Property(d, "message");
                            if (m.Length > 0) { found = m; break; }
                        }
                    }
                }
                if (!hasNext) break;
                string im = Property(next, "message");
                if (im.Length > 0) found = im;
                current = next;
            }
            return found;
        }

        private void Expect(JsonTokenType token, string what)
        {
            if (cursor.Token != token)
                throw Unreadable(cursor.TokenLine, $"\"{what}\" should be {JsonRowReader.Describe(token)}, found {JsonRowReader.Describe(cursor.Token)}");
        }

        private static bool Is(string name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);
    }
}
