using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using RunCommandHunt.Live.Tests.Support;

namespace RunCommandHunt.Module.Tests.Live
{
    /// <summary>
    /// A Log Analytics workspace (POST /v1/workspaces/{id}/query) or Defender XDR advanced hunting through Graph
    /// (POST /v1.0/security/runHuntingQuery) on 127.0.0.1, holding sample tables. Each query gets every row of the
    /// table it names inside the request's timespan - a superset of what its filters select, which the hunt's own
    /// correlation narrows as it does for files. Faults are scripted per request.
    /// </summary>
    internal sealed class FakeHuntService : IDisposable
    {
        public enum Api { LogAnalytics, DefenderXdr }

        public const string GraphPath = "/v1.0/security/runHuntingQuery";

        /// <summary>Sentinel-only columns that advanced hunting does not have.</summary>
        private static readonly HashSet<string> NotInDefender = new HashSet<string>(StringComparer.Ordinal) { "TimeGenerated", "TenantId", "Type" };

        private static readonly Regex TableName = new Regex(@"^\s*([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.CultureInvariant);

        private readonly FakeHttpServer _server;
        private readonly List<SampleTable> _tables;

        public FakeHuntService(Api api, IEnumerable<SampleTable> tables, string token, Guid? workspaceId = null)
        {
            ApiKind = api;
            Tokens.Add(token);
            WorkspaceId = workspaceId ?? Guid.NewGuid();
            _tables = tables.ToList();
            _server = new FakeHttpServer(Handle);
        }

        public Api ApiKind { get; }
        public Guid WorkspaceId { get; }
        /// <summary>The bearer tokens the service accepts; any other is answered 401.</summary>
        public HashSet<string> Tokens { get; } = new HashSet<string>(StringComparer.Ordinal);
        public Uri Endpoint => _server.BaseUri;
        public string QueryPath => ApiKind == Api.LogAnalytics ? $"/v1/workspaces/{WorkspaceId:D}/query" : GraphPath;
        public FakeHttpServer Server => _server;
        public IReadOnlyList<RecordedRequest> Requests => _server.Requests;

        /// <summary>Answers a request instead of the service when it returns non-null (throttling, errors, hangs).</summary>
        public Func<RecordedRequest, CancellationToken, Task<FakeResponse?>>? Fault { get; set; }

        /// <summary>Rewrites a normal answer (a PartialError, a truncation) before it is sent.</summary>
        public Func<RecordedRequest, Answer, Answer>? Rewrite { get; set; }

        /// <summary>The table a request's query names (its first identifier).</summary>
        public static string TableOf(RecordedRequest r, Api api)
        {
            var query = r.JsonString(api == Api.LogAnalytics ? "query" : "Query");
            var m = TableName.Match(query);
            return m.Success ? m.Groups[1].Value : "";
        }

        public string TableOf(RecordedRequest r) => TableOf(r, ApiKind);

        /// <summary>The [start, end) of a request's timespan.</summary>
        public static (DateTime Start, DateTime End) WindowOf(RecordedRequest r, Api api)
        {
            var span = r.JsonString(api == Api.LogAnalytics ? "timespan" : "Timespan");
            var parts = span.Split('/');
            if (parts.Length != 2) throw new FormatException($"timespan '{span}' is not start/end");
            return (SampleTable.ParseTime(parts[0]), SampleTable.ParseTime(parts[1]));
        }

        public (DateTime Start, DateTime End) WindowOf(RecordedRequest r) => WindowOf(r, ApiKind);

        /// <summary>The rows of one answer, before they are written.</summary>
        public sealed class Answer
        {
            public string Table = "";
            public List<string> Columns = new List<string>();
            public List<string> Types = new List<string>();
            public List<string[]> Rows = new List<string[]>();
            /// <summary>A 200 with tables and this error object: Log Analytics' PartialError.</summary>
            public string? ErrorJson;
        }

        private async Task<FakeResponse> Handle(RecordedRequest r, CancellationToken ct)
        {
            if (Fault != null)
            {
                var fault = await Fault(r, ct);
                if (fault != null) return fault;
            }
            if (r.Method != "POST") return Error(405, "MethodNotAllowed", $"{r.Method} is not allowed");
            if (r.Path != QueryPath) return Error(404, "PathNotFoundError", $"The requested path '{r.Path}' does not exist");
            var authorization = r.Header("Authorization");
            if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !Tokens.Contains(authorization.Substring("Bearer ".Length)))
                return Error(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing or not valid.");
            if (!r.Header("Content-Type").StartsWith("application/json", StringComparison.Ordinal))
                return Error(400, "BadArgumentError", "Content-Type must be application/json");

            string query;
            (DateTime Start, DateTime End) window;
            try
            {
                query = r.JsonString(ApiKind == Api.LogAnalytics ? "query" : "Query");
                window = WindowOf(r);
            }
            catch (Exception ex) when (ex is JsonException || ex is KeyNotFoundException || ex is FormatException || ex is InvalidOperationException)
            {
                return Error(400, "BadArgumentError", "The request had some invalid properties: " + ex.Message);
            }

            var name = TableOf(r);
            var table = _tables.Where(t => t.Name == name).ToList();
            if (table.Count == 0 || (ApiKind == Api.DefenderXdr && name == "AzureActivity"))
                return Error(400, "BadArgumentError", $"'where' operator: Failed to resolve table expression named '{name}'", "SemanticError");
            // Advanced hunting's MDE tables have Timestamp, not TimeGenerated: a query that names it fails there.
            if (ApiKind == Api.DefenderXdr && query.Contains("TimeGenerated", StringComparison.Ordinal))
                return Error(400, "BadRequest", "Failed to resolve scalar expression named 'TimeGenerated'");

            var answer = AnswerFor(table, window);
            if (Rewrite != null) answer = Rewrite(r, answer);
            return FakeResponse.Json(200, ApiKind == Api.LogAnalytics ? LogAnalyticsJson(answer) : GraphJson(answer));
        }

        private Answer AnswerFor(List<SampleTable> tables, (DateTime Start, DateTime End) window)
        {
            var first = tables[0];
            var keep = Enumerable.Range(0, first.Columns.Count)
                .Where(i => ApiKind == Api.LogAnalytics || !NotInDefender.Contains(first.Columns[i])).ToList();
            var answer = new Answer { Table = first.Name };
            foreach (var i in keep)
            {
                answer.Columns.Add(first.Columns[i]);
                answer.Types.Add(first.TypeOf(first.Columns[i]));
            }
            var time = ApiKind == Api.LogAnalytics ? "TimeGenerated" : "Timestamp";
            foreach (var t in tables)
                foreach (var row in t.RowsIn(time, window.Start, window.End))
                    answer.Rows.Add(keep.Select(i => row[i]).ToArray());
            return answer;
        }

        /// <summary>{"tables":[{"name":"PrimaryResult","columns":[...],"rows":[[...]]}]}; dynamic as JSON text, long as numbers.</summary>
        public static string LogAnalyticsJson(Answer a)
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("tables");
                w.WriteStartObject();
                w.WriteString("name", "PrimaryResult");
                w.WriteStartArray("columns");
                for (int i = 0; i < a.Columns.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("name", a.Columns[i]);
                    w.WriteString("type", a.Types[i]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("rows");
                foreach (var row in a.Rows)
                {
                    w.WriteStartArray();
                    for (int i = 0; i < row.Length; i++) Cell(w, a.Types[i], row[i]);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
                if (a.ErrorJson != null)
                {
                    w.WritePropertyName("error");
                    w.WriteRawValue(a.ErrorJson);
                }
                w.WriteEndObject();
            });
        }

        /// <summary>{"schema":[{"name","type"}],"results":[{col:value}]}: Timestamp with 7 digits, AdditionalFields as text.</summary>
        public static string GraphJson(Answer a)
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults");
                w.WriteStartArray("schema");
                for (int i = 0; i < a.Columns.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("name", a.Columns[i]);
                    w.WriteString("type", a.Types[i] switch { "datetime" => "DateTime", "long" => "Int64", _ => "String" });
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("results");
                foreach (var row in a.Rows)
                {
                    w.WriteStartObject();
                    for (int i = 0; i < row.Length; i++)
                    {
                        w.WritePropertyName(a.Columns[i]);
                        Cell(w, a.Types[i] == "dynamic" ? "string" : a.Types[i], row[i]);
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
        }

        private static void Cell(Utf8JsonWriter w, string type, string value)
        {
            switch (type)
            {
                case "long":
                    if (value.Length == 0) w.WriteNullValue();
                    else w.WriteNumberValue(long.Parse(value, CultureInfo.InvariantCulture));
                    break;
                case "datetime":
                    if (value.Length == 0) w.WriteNullValue();
                    else w.WriteStringValue(value);
                    break;
                default:
                    w.WriteStringValue(value);
                    break;
            }
        }

        /// <summary>The OneAPI error answer: {"error":{"code","message","innererror":{"code"}}}.</summary>
        public static FakeResponse Error(int status, string code, string message, string? innerCode = null, params (string Name, string Value)[] headers) =>
            FakeResponse.Json(status, ErrorJson(code, message, innerCode, wrap: true), headers);

        public static string ErrorJson(string code, string message, string? innerCode = null, bool wrap = false)
        {
            var json = Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("code", code);
                w.WriteString("message", message);
                if (innerCode != null)
                {
                    w.WriteStartObject("innererror");
                    w.WriteString("code", innerCode);
                    w.WriteString("message", message);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            });
            return wrap ? "{\"error\":" + json + "}" : json;
        }

        private static string Write(Action<Utf8JsonWriter> write)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms)) write(w);
            return Encoding.UTF8.GetString(ms.ToArray());
        }

        public void Dispose() => _server.Dispose();
    }
}
