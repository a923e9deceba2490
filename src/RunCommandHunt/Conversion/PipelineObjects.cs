using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;
using RunCommandHunt.Engine.Readers;

namespace RunCommandHunt.Commands
{
    /// <summary>
    /// Objects from the pipeline -> the engine's types. A stage accepts its own output type and any object with the same
    /// property names (Import-Csv rows, ConvertFrom-Json objects, a user's own stage).
    /// </summary>
    internal static class PipelineObjects
    {
        /// <summary>Property names and their values as text, for the evidence row mapper.</summary>
        public static (List<string> Names, List<string?> Values) ToRow(PSObject obj)
        {
            var names = new List<string>();
            var values = new List<string?>();
            if (obj.BaseObject is IDictionary dict)
            {
                foreach (DictionaryEntry e in dict)
                {
                    names.Add(Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "");
                    values.Add(ToText(e.Value));
                }
                return (names, values);
            }
            foreach (var p in obj.Properties)
            {
                if (!p.IsGettable) continue;
                object? v;
                try { v = p.Value; } catch (GetValueException) { continue; }
                names.Add(p.Name);
                values.Add(ToText(v));
            }
            return (names, values);
        }

        public static string? ToText(object? value)
        {
            if (value is PSObject pso) value = pso.BaseObject;
            switch (value)
            {
                case null: return null;
                case string s: return s;
                case DateTime dt: return EvidenceValues.FormatDateTime(dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : DateTime.SpecifyKind(dt, DateTimeKind.Utc));
                case DateTimeOffset dto: return EvidenceValues.FormatDateTime(dto.UtcDateTime);
                case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
                default: return value.ToString();
            }
        }

        public static RunCommandOperation ToOperation(PSObject obj)
        {
            if (obj.BaseObject is RunCommandOperation op) return op;
            var p = new PropertyReader(obj, "RunCommandOperation");
            return new RunCommandOperation
            {
                StartTime = p.DateTime("StartTime"),
                EndTime = p.DateTime("EndTime"),
                VirtualMachineName = p.String("VirtualMachineName", required: true),
                Subscription = p.String("Subscription"),
                ResourceGroup = p.String("ResourceGroup"),
                CorrelationId = p.String("CorrelationId"),
                Caller = p.String("Caller"),
                CallerIpAddress = p.String("CallerIpAddress"),
                Scope = p.String("Scope"),
                Status = p.String("Status"),
                OperationNameValue = p.String("OperationNameValue"),
                OperationKind = p.String("OperationKind"),
                Authorization = p.String("Authorization"),
            };
        }

        public static RunCommandScriptExecution ToExecution(PSObject obj)
        {
            if (obj.BaseObject is RunCommandScriptExecution x) return x;
            var p = new PropertyReader(obj, "RunCommandScriptExecution");
            var start = p.OptionalDateTime("PowershellExecStart") ?? p.OptionalDateTime("PowershellExecStartTime") ?? default;
            return new RunCommandScriptExecution
            {
                StartTime = p.DateTime("StartTime"),
                EndTime = p.OptionalDateTime("EndTime") ?? default,
                PowershellFileCreatedTimestamp = p.OptionalDateTime("PowershellFileCreatedTimestamp") ?? default,
                PowershellExecStart = start,
                PowershellExecEnd = p.OptionalDateTime("PowershellExecEnd") ?? default,
                PowershellFileName = p.String("PowershellFileName"),
                PowershellScriptCommands = CommandList(p),
                Caller = p.String("Caller"),
                CallerIpAddress = p.String("CallerIpAddress"),
                InitiatingProcessCommandLine = p.String("InitiatingProcessCommandLine"),
                PowershellFileSize = p.OptionalLong("PowershellFileSize"),
                VirtualMachineName = p.String("VirtualMachineName"),
                Scope = p.String("Scope"),
                ScriptFingerprintHash = p.String("ScriptFingerprintHash"),
                CorrelationId = p.String("CorrelationId"),
                Subscription = p.String("Subscription"),
                DeviceName = p.String("DeviceName"),
                OperationKind = p.String("OperationKind"),
            };
        }

        /// <summary>The command list; after an Export-Csv round trip the list column reads "System.String[]" and the
        /// PowershellScriptCommandsJson column (types.ps1xml) holds it.</summary>
        private static string[] CommandList(PropertyReader p)
        {
            try
            {
                return p.StringList("PowershellScriptCommands")!;
            }
            catch (ArgumentException) when (p.Has("PowershellScriptCommandsJson"))
            {
                return p.StringList("PowershellScriptCommandsJson") ?? Array.Empty<string>();
            }
        }

        /// <summary>A finding (the rule's result row) from a UniqueRunCommandScript or any object with its property names.</summary>
        public static UniqueRunCommandScript ToFinding(PSObject obj)
        {
            if (obj.BaseObject is UniqueRunCommandScript u) return u;
            var x = ToExecution(obj);
            var p = new PropertyReader(obj, "UniqueRunCommandScript");
            var finding = Engine.Fingerprinting.UniqueScriptFinder.ToFinding(x, x.ScriptFingerprintHash,
                p.OptionalLong("HashCount") ?? 1, p.OptionalDouble("Prevalence") ?? 0, FingerprintKind.Commands, CompatibilityMode.None);
            // A row that carries the rule's own columns keeps them.
            finding.timestamp = p.OptionalDateTime("timestamp") ?? x.StartTime;
            if (p.String("CallerName").Length > 0) finding.CallerName = p.String("CallerName");
            if (p.String("CallerUPNSuffix").Length > 0) finding.CallerUPNSuffix = p.String("CallerUPNSuffix");
            return finding;
        }

        /// <summary>Reads an object's properties by name (case-insensitive), with errors that name the property and value.</summary>
        private readonly struct PropertyReader
        {
            private readonly PSObject _obj;
            private readonly string _type;

            public PropertyReader(PSObject obj, string type) { _obj = obj; _type = type; }

            private object? Raw(string name)
            {
                var prop = _obj.Properties[name];
                if (prop == null) return null;
                var v = prop.Value;
                return v is PSObject p ? p.BaseObject : v;
            }

            public bool Has(string name) => _obj.Properties[name] != null;

            public string String(string name, bool required = false)
            {
                var v = Raw(name);
                if (v == null && required)
                    throw new ArgumentException($"The input object is not a {_type}: it has no {name} property.");
                return ToText(v) ?? "";
            }

            public DateTime DateTime(string name) =>
                OptionalDateTime(name) ?? throw new ArgumentException($"The input object is not a {_type}: it has no {name} property.");

            public DateTime? OptionalDateTime(string name)
            {
                var v = Raw(name);
                switch (v)
                {
                    case null: return null;
                    case System.DateTime dt: return dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : System.DateTime.SpecifyKind(dt, DateTimeKind.Utc);
                    case DateTimeOffset dto: return dto.UtcDateTime;
                    default:
                        var text = ToText(v);
                        if (string.IsNullOrEmpty(text)) return null;
                        if (EvidenceValues.TryParseDateTime(text, out var utc)) return utc;
                        throw new ArgumentException($"{_type} property {name}: '{text}' is not a date and time.");
                }
            }

            public long? OptionalLong(string name)
            {
                var v = Raw(name);
                switch (v)
                {
                    case null: return null;
                    case long l: return l;
                    case int i: return i;
                    default:
                        var text = ToText(v);
                        if (EvidenceValues.TryParseLong(text, out var value)) return value;
                        throw new ArgumentException($"{_type} property {name}: '{text}' is not a whole number.");
                }
            }

            public double? OptionalDouble(string name)
            {
                var v = Raw(name);
                if (v == null) return null;
                if (v is double d) return d;
                var text = ToText(v);
                if (string.IsNullOrEmpty(text)) return null;
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
                throw new ArgumentException($"{_type} property {name}: '{text}' is not a number.");
            }

            public string[]? StringList(string name)
            {
                var v = Raw(name);
                switch (v)
                {
                    case null: return null;
                    case string[] a: return a;
                    case string s:
                        var t = s.Trim();
                        if (t.Length == 0) return Array.Empty<string>();
                        if (t[0] == '[')
                        {
                            try
                            {
                                using var doc = JsonDocument.Parse(t);
                                var list = new List<string>();
                                foreach (var e in doc.RootElement.EnumerateArray())
                                    list.Add(e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.GetRawText());
                                return list.ToArray();
                            }
                            catch (JsonException) { }
                        }
                        if (t == "System.String[]" || t == "System.Object[]")
                            throw new ArgumentException($"{_type} property {name} holds '{t}': the list was lost in a CSV export. Export with ConvertTo-Json, or use the PowershellScriptCommandsJson property.");
                        return new[] { s };
                    case IEnumerable e:
                        var items = new List<string>();
                        foreach (var item in e) items.Add(ToText(item) ?? "");
                        return items.ToArray();
                    default:
                        return new[] { ToText(v) ?? "" };
                }
            }
        }
    }
}
