using System;
using System.Collections.Generic;
using System.Text.Json;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>One table of a response, as parsed.</summary>
    internal sealed class ParsedTable
    {
        public string Name = "";
        public List<LiveColumn> Columns = new List<LiveColumn>();
        public List<string?[]> Rows = new List<string?[]>();
    }

    /// <summary>What a 200 body held: tables, the error object (PartialError) and statistics.</summary>
    internal sealed class ParsedResponse
    {
        public List<ParsedTable> Tables = new List<ParsedTable>();
        public bool SawTables;
        public LiveServiceError? Error;
        public string? Statistics;

        /// <summary>The table named PrimaryResult, else the first one.</summary>
        public ParsedTable? Primary
        {
            get
            {
                foreach (var t in Tables)
                    if (string.Equals(t.Name, "PrimaryResult", StringComparison.OrdinalIgnoreCase)) return t;
                return Tables.Count > 0 ? Tables[0] : null;
            }
        }
    }

    internal static class JsonNames
    {
        public static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Log Analytics: {"tables":[{"name","columns":[{"name","type"}],"rows":[[...]]}],"error":{...},"statistics":{...}}.
    /// Property names are matched case-insensitively and in any order; unknown properties are skipped.
    /// </summary>
    internal static class LogAnalyticsResponseReader
    {
        public static ParsedResponse Read(LiveJsonReader r)
        {
            var response = new ParsedResponse();
            r.Expect(JsonTokenType.StartObject, "the response object");
            foreach (var name in TopLevelProperties(r))
            {
                if (JsonNames.Is(name, "tables"))
                {
                    response.SawTables = true;
                    ReadTables(r, response);
                }
                else if (JsonNames.Is(name, "error")) response.Error = ErrorReader.Read(r);
                else if (JsonNames.Is(name, "statistics")) response.Statistics = r.ReadRawJson(16 * 1024);
                else r.Skip();
            }
            return response;
        }

        /// <summary>Yields each property name of the current object with the reader on its value; checks the body ends after it.</summary>
        internal static IEnumerable<string> TopLevelProperties(LiveJsonReader r)
        {
            while (true)
            {
                r.Next("inside the response object");
                if (r.TokenType == JsonTokenType.EndObject) break;
                if (r.TokenType != JsonTokenType.PropertyName)
                    throw new MalformedResponseException($"expected a property name at byte {r.Position}, found {r.TokenType}");
                var name = r.Text;
                r.Next($"after property '{name}'");
                yield return name;
            }
            if (r.Read()) throw new MalformedResponseException($"unexpected data after the response object at byte {r.Position}");
        }

        private static void ReadTables(LiveJsonReader r, ParsedResponse response)
        {
            if (r.TokenType == JsonTokenType.Null) return;
            if (r.TokenType != JsonTokenType.StartArray)
                throw new MalformedResponseException($"'tables' is {r.TokenType} at byte {r.Position}, expected an array");
            while (true)
            {
                r.Next("inside 'tables'");
                if (r.TokenType == JsonTokenType.EndArray) return;
                if (r.TokenType != JsonTokenType.StartObject)
                    throw new MalformedResponseException($"a table at byte {r.Position} is {r.TokenType}, expected an object");
                response.Tables.Add(ReadTable(r, response.Tables.Count));
            }
        }

        private static ParsedTable ReadTable(LiveJsonReader r, int index)
        {
            var table = new ParsedTable();
            bool sawColumns = false;
            while (true)
            {
                r.Next($"inside table {index}");
                if (r.TokenType == JsonTokenType.EndObject) break;
                var name = r.Text;
                r.Next($"inside table {index}");
                if (JsonNames.Is(name, "name")) table.Name = r.TokenType == JsonTokenType.String ? r.Text : "";
                else if (JsonNames.Is(name, "columns")) { sawColumns = true; ReadColumns(r, table); }
                else if (JsonNames.Is(name, "rows")) ReadRows(r, table);
                else r.Skip();
            }
            if (!sawColumns) throw new MalformedResponseException($"table {index} ('{table.Name}') has no 'columns'");
            for (int i = 0; i < table.Rows.Count; i++)
            {
                if (table.Rows[i].Length != table.Columns.Count)
                    throw new MalformedResponseException(
                        $"row {i + 1} of table '{table.Name}' has {table.Rows[i].Length} cells for {table.Columns.Count} columns");
            }
            return table;
        }

        private static void ReadColumns(LiveJsonReader r, ParsedTable table)
        {
            if (r.TokenType != JsonTokenType.StartArray)
                throw new MalformedResponseException($"'columns' is {r.TokenType} at byte {r.Position}, expected an array");
            while (true)
            {
                r.Next("inside 'columns'");
                if (r.TokenType == JsonTokenType.EndArray) return;
                table.Columns.Add(ColumnReader.Read(r, table.Columns.Count));
            }
        }

        private static void ReadRows(LiveJsonReader r, ParsedTable table)
        {
            if (r.TokenType != JsonTokenType.StartArray)
                throw new MalformedResponseException($"'rows' is {r.TokenType} at byte {r.Position}, expected an array");
            var cells = new List<string?>();
            while (true)
            {
                r.Next("inside 'rows'");
                if (r.TokenType == JsonTokenType.EndArray) return;
                if (r.TokenType != JsonTokenType.StartArray)
                    throw new MalformedResponseException($"row {table.Rows.Count + 1} at byte {r.Position} is {r.TokenType}, expected an array");
                cells.Clear();
                while (true)
                {
                    r.Next($"inside row {table.Rows.Count + 1}");
                    if (r.TokenType == JsonTokenType.EndArray) break;
                    cells.Add(r.ReadCellValue());
                }
                table.Rows.Add(cells.ToArray());
            }
        }
    }

    /// <summary>Graph runHuntingQuery: {"schema":[{"name","type"}],"results":[{col:value}]}, names in any case.</summary>
    internal static class GraphHuntingResponseReader
    {
        public static ParsedResponse Read(LiveJsonReader r)
        {
            var response = new ParsedResponse();
            var table = new ParsedTable { Name = "PrimaryResult" };
            var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var pending = new List<List<KeyValuePair<string, string?>>>();
            bool sawSchema = false;
            r.Expect(JsonTokenType.StartObject, "the response object");
            foreach (var name in LogAnalyticsResponseReader.TopLevelProperties(r))
            {
                if (JsonNames.Is(name, "schema"))
                {
                    sawSchema = true;
                    if (r.TokenType != JsonTokenType.StartArray)
                        throw new MalformedResponseException($"'schema' is {r.TokenType} at byte {r.Position}, expected an array");
                    while (true)
                    {
                        r.Next("inside 'schema'");
                        if (r.TokenType == JsonTokenType.EndArray) break;
                        var c = ColumnReader.Read(r, table.Columns.Count);
                        if (index.ContainsKey(c.Name)) throw new MalformedResponseException($"column '{c.Name}' appears twice in 'schema'");
                        index[c.Name] = table.Columns.Count;
                        table.Columns.Add(c);
                    }
                }
                else if (JsonNames.Is(name, "results"))
                {
                    response.SawTables = true;
                    ReadResults(r, pending);
                }
                else if (JsonNames.Is(name, "error")) response.Error = ErrorReader.Read(r);
                else if (JsonNames.Is(name, "stats")) response.Statistics = r.ReadRawJson(16 * 1024);
                else r.Skip();
            }
            if (response.SawTables && !sawSchema && pending.Count > 0)
                throw new MalformedResponseException("the response has 'results' but no 'schema'");

            // Results may come before the schema; a property the schema lacks becomes a column rather than being dropped.
            foreach (var row in pending)
            {
                foreach (var kv in row)
                {
                    if (!index.ContainsKey(kv.Key))
                    {
                        index[kv.Key] = table.Columns.Count;
                        table.Columns.Add(new LiveColumn(kv.Key, ""));
                    }
                }
            }
            foreach (var row in pending)
            {
                var cells = new string?[table.Columns.Count];
                foreach (var kv in row) cells[index[kv.Key]] = kv.Value;
                table.Rows.Add(cells);
            }
            if (response.SawTables || sawSchema) response.Tables.Add(table);
            return response;
        }

        private static void ReadResults(LiveJsonReader r, List<List<KeyValuePair<string, string?>>> rows)
        {
            if (r.TokenType == JsonTokenType.Null) return;
            if (r.TokenType != JsonTokenType.StartArray)
                throw new MalformedResponseException($"'results' is {r.TokenType} at byte {r.Position}, expected an array");
            while (true)
            {
                r.Next("inside 'results'");
                if (r.TokenType == JsonTokenType.EndArray) return;
                if (r.TokenType != JsonTokenType.StartObject)
                    throw new MalformedResponseException($"result {rows.Count + 1} at byte {r.Position} is {r.TokenType}, expected an object");
                var row = new List<KeyValuePair<string, string?>>();
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                while (true)
                {
                    r.Next($"inside result {rows.Count + 1}");
                    if (r.TokenType == JsonTokenType.EndObject) break;
                    var name = r.Text;
                    r.Next($"inside result {rows.Count + 1}");
                    if (!seen.Add(name))
                        throw new MalformedResponseException($"result {rows.Count + 1} has property '{name}' twice");
                    row.Add(new KeyValuePair<string, string?>(name, r.ReadCellValue()));
                }
                rows.Add(row);
            }
        }
    }

    internal static class ColumnReader
    {
        /// <summary>{"name":"x","type":"string"} (Graph spells them Name/Type).</summary>
        public static LiveColumn Read(LiveJsonReader r, int index)
        {
            if (r.TokenType != JsonTokenType.StartObject)
                throw new MalformedResponseException($"column {index + 1} at byte {r.Position} is {r.TokenType}, expected an object");
            string? name = null, type = null;
            while (true)
            {
                r.Next($"inside column {index + 1}");
                if (r.TokenType == JsonTokenType.EndObject) break;
                var prop = r.Text;
                r.Next($"inside column {index + 1}");
                if (JsonNames.Is(prop, "name") && r.TokenType == JsonTokenType.String) name = r.Text;
                else if (JsonNames.Is(prop, "type") && r.TokenType == JsonTokenType.String) type = r.Text;
                else r.Skip();
            }
            if (string.IsNullOrEmpty(name)) throw new MalformedResponseException($"column {index + 1} has no name");
            return new LiveColumn(name!, type ?? "");
        }
    }

    /// <summary>The OneAPI error object, innererror chain and details flattened.</summary>
    internal static class ErrorReader
    {
        public static LiveServiceError Read(LiveJsonReader r)
        {
            if (r.TokenType != JsonTokenType.StartObject)
            {
                // Some gateways send "error":"text".
                var text = r.ReadCellValue() ?? "";
                return new LiveServiceError("", text);
            }
            var inner = new List<LiveServiceError>();
            var (code, message) = ReadInto(r, inner, 0);
            return new LiveServiceError(code, message, inner);
        }

        private static (string Code, string Message) ReadInto(LiveJsonReader r, List<LiveServiceError> inner, int depth)
        {
            string code = "", message = "";
            int startDepth = r.Depth;
            while (true)
            {
                r.Next("inside an error object");
                if (r.TokenType == JsonTokenType.EndObject && r.Depth == startDepth - 1) break;
                var prop = r.Text;
                r.Next("inside an error object");
                if (JsonNames.Is(prop, "code") && r.TokenType == JsonTokenType.String) code = r.Text;
                else if (JsonNames.Is(prop, "message") && r.TokenType == JsonTokenType.String) message = r.Text;
                else if (JsonNames.Is(prop, "innererror") && r.TokenType == JsonTokenType.StartObject && depth < 8)
                {
                    // Keep document order: this level's inner error, then whatever it nests.
                    int at = inner.Count;
                    inner.Add(new LiveServiceError("", ""));
                    var (c, m) = ReadInto(r, inner, depth + 1);
                    inner[at] = new LiveServiceError(c, m);
                }
                else if (JsonNames.Is(prop, "details") && r.TokenType == JsonTokenType.StartArray && depth < 8)
                {
                    while (true)
                    {
                        r.Next("inside error details");
                        if (r.TokenType == JsonTokenType.EndArray) break;
                        if (r.TokenType != JsonTokenType.StartObject) { r.Skip(); continue; }
                        int at = inner.Count;
                        inner.Add(new LiveServiceError("", ""));
                        var (c, m) = ReadInto(r, inner, depth + 1);
                        inner[at] = new LiveServiceError(c, m);
                    }
                }
                else r.Skip();
            }
            return (code, message);
        }
    }
}
