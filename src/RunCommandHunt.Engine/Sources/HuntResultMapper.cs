using System;
using System.Collections.Generic;
using System.Text.Json;
using RunCommandHunt.Engine.Readers;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>
    /// Rows of a server-side hunt (the seeds' projections, or the corrected hunt's) -> the objects the client-side
    /// stages emit, by column name. Columns a query does not project keep their defaults.
    /// </summary>
    public static class HuntResultMapper
    {
        public static IEnumerable<RunCommandScriptExecution> ToExecutions(LiveQueryResult result, CompatibilityMode mode)
        {
            var c = Index(result);
            foreach (var row in result.Rows)
            {
                var r = new Row(c, row, result);
                yield return new RunCommandScriptExecution
                {
                    StartTime = r.Time("StartTime"),
                    EndTime = r.Time("EndTime"),
                    PowershellFileCreatedTimestamp = r.Time("PowershellFileCreatedTimestamp"),
                    PowershellExecStart = r.Has("PowershellExecStart") ? r.Time("PowershellExecStart") : r.Time("PowershellExecStartTime"),
                    PowershellExecEnd = r.Time("PowershellExecEnd"),
                    PowershellFileName = r.Text("PowershellFileName"),
                    PowershellScriptCommands = r.List("PowershellScriptCommands"),
                    Caller = r.Text("Caller"),
                    CallerIpAddress = r.Text("CallerIpAddress"),
                    InitiatingProcessCommandLine = r.Text("InitiatingProcessCommandLine"),
                    PowershellFileSize = r.Long("PowershellFileSize"),
                    VirtualMachineName = r.Text("VirtualMachineName"),
                    Scope = r.Text("Scope"),
                    ScriptFingerprintHash = r.Text("ScriptFingerprintHash"),
                    CorrelationId = r.Text("CorrelationId"),
                    Subscription = r.Text("Subscription"),
                    DeviceName = r.Text("DeviceName"),
                    Compatibility = mode,
                };
            }
        }

        public static IEnumerable<UniqueRunCommandScript> ToUniqueScripts(LiveQueryResult result, CompatibilityMode mode)
        {
            var c = Index(result);
            foreach (var row in result.Rows)
            {
                var r = new Row(c, row, result);
                yield return new UniqueRunCommandScript
                {
                    timestamp = r.Time("timestamp"),
                    StartTime = r.Time("StartTime"),
                    EndTime = r.Time("EndTime"),
                    PowershellFileName = r.Text("PowershellFileName"),
                    VirtualMachineName = r.Text("VirtualMachineName"),
                    Caller = r.Text("Caller"),
                    CallerName = r.Text("CallerName"),
                    CallerUPNSuffix = r.Text("CallerUPNSuffix"),
                    CallerIpAddress = r.Text("CallerIpAddress"),
                    PowershellScriptCommands = r.List("PowershellScriptCommands"),
                    PowershellFileSize = r.Long("PowershellFileSize"),
                    ScriptFingerprintHash = r.Text("ScriptFingerprintHash"),
                    Prevalence = r.Real("Prevalence"),
                    Scope = r.Text("Scope"),
                    HashCount = r.Long("HashCount") ?? 1,
                    CorrelationId = r.Text("CorrelationId"),
                    DeviceName = r.Text("DeviceName"),
                    Compatibility = mode,
                };
            }
        }

        private static Dictionary<string, int> Index(LiveQueryResult result)
        {
            var c = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < result.ColumnNames.Count; i++)
                if (!c.ContainsKey(result.ColumnNames[i])) c[result.ColumnNames[i]] = i;
            return c;
        }

        private readonly struct Row
        {
            private readonly Dictionary<string, int> _c;
            private readonly string?[] _v;
            private readonly LiveQueryResult _result;

            public Row(Dictionary<string, int> c, string?[] v, LiveQueryResult result) { _c = c; _v = v; _result = result; }

            public bool Has(string name) => _c.ContainsKey(name);

            private string? Raw(string name) => _c.TryGetValue(name, out var i) && i < _v.Length ? _v[i] : null;

            public string Text(string name) => Raw(name) ?? "";

            public DateTime Time(string name)
            {
                var t = Raw(name);
                if (string.IsNullOrEmpty(t)) return default;
                if (EvidenceValues.TryParseDateTime(t, out var utc)) return utc;
                throw Bad(name, t, "is not a date and time");
            }

            public long? Long(string name)
            {
                var t = Raw(name);
                if (EvidenceValues.TryParseLong(t, out var v)) return v;
                throw Bad(name, t, "is not a whole number");
            }

            public double Real(string name)
            {
                var t = Raw(name);
                if (string.IsNullOrEmpty(t)) return 0;
                if (double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)) return d;
                throw Bad(name, t, "is not a number");
            }

            public string[] List(string name)
            {
                var t = Raw(name);
                if (string.IsNullOrEmpty(t)) return Array.Empty<string>();
                try
                {
                    using var doc = JsonDocument.Parse(t!);
                    var list = new List<string>();
                    foreach (var e in doc.RootElement.EnumerateArray())
                        list.Add(e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.GetRawText());
                    return list.ToArray();
                }
                catch (Exception ex) when (ex is JsonException || ex is InvalidOperationException)
                {
                    throw Bad(name, t, "is not a JSON array");
                }
            }

            private LiveQueryException Bad(string column, string? value, string what) =>
                new LiveQueryException(LiveQueryFailure.MalformedResponse, "Server-side hunt result",
                    $"column {column}: '{value}' {what}", _result.Window);
        }
    }
}
