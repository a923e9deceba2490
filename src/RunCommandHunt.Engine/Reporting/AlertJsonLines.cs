using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace RunCommandHunt.Engine.Reporting
{
    /// <summary>
    /// Alerts as JSON Lines: one alert a line, UTF-8 without BOM, "\n" line ends, dates ISO 8601 UTC round-trip.
    /// Field names are SecurityAlert's; Entities and ExtendedProperties are nested JSON, not JSON-in-a-string.
    /// </summary>
    public static class AlertJsonLines
    {
        private static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions
        {
            Indented = false,
            // Non-ASCII stays readable; HTML-significant characters are still escaped, so a line pasted into a page is inert.
            Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        };

        /// <summary>Writes the file atomically (temp file + rename); an interrupted run leaves the old file whole.</summary>
        public static void Write(string path, IEnumerable<RunCommandHuntAlert> alerts)
        {
            if (alerts == null) throw new ArgumentNullException(nameof(alerts));
            AtomicFile.Write(path, s => WriteTo(s, alerts));
        }

        public static void WriteTo(Stream stream, IEnumerable<RunCommandHuntAlert> alerts)
        {
            foreach (var alert in alerts)
            {
                if (alert == null) continue;
                using (var w = new Utf8JsonWriter(stream, WriterOptions)) WriteAlert(w, alert);
                stream.WriteByte((byte)'\n');
            }
        }

        /// <summary>One alert as one line of JSON (no line end).</summary>
        public static string ToJson(RunCommandHuntAlert alert)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, WriterOptions)) WriteAlert(w, alert);
            return Encoding.UTF8.GetString(ms.ToArray());
        }

        private static void WriteAlert(Utf8JsonWriter w, RunCommandHuntAlert a)
        {
            w.WriteStartObject();
            Date(w, "TimeGenerated", a.TimeGenerated);
            w.WriteString("AlertName", a.AlertName);
            w.WriteString("DisplayName", a.DisplayName);
            w.WriteString("AlertSeverity", a.AlertSeverity);
            w.WriteString("Description", a.Description);
            w.WriteString("ProviderName", a.ProviderName);
            w.WriteString("VendorName", a.VendorName);
            w.WriteString("ProductName", a.ProductName);
            w.WriteString("ProductComponentName", a.ProductComponentName);
            w.WriteString("SystemAlertId", a.SystemAlertId);
            w.WriteString("Status", a.Status);
            w.WriteString("CompromisedEntity", a.CompromisedEntity);
            Date(w, "StartTime", a.StartTime);
            Date(w, "EndTime", a.EndTime);
            Strings(w, "Tactics", a.Tactics);
            Strings(w, "Techniques", a.Techniques);

            w.WriteStartArray("Entities");
            foreach (var e in a.Entities ?? Array.Empty<RunCommandHuntAlertEntity>())
            {
                w.WriteStartObject();
                w.WriteString("$id", e.Id);
                Optional(w, "FullName", e.FullName);
                Optional(w, "Name", e.Name);
                Optional(w, "UPNSuffix", e.UPNSuffix);
                Optional(w, "AadUserId", e.AadUserId);
                Optional(w, "Address", e.Address);
                Optional(w, "HostName", e.HostName);
                Optional(w, "AzureID", e.AzureID);
                Optional(w, "ResourceId", e.ResourceId);
                w.WriteString("Type", e.Type);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartObject("ExtendedProperties");
            if (a.ExtendedProperties != null)
                foreach (var kv in a.ExtendedProperties) w.WriteString(kv.Key, kv.Value);
            w.WriteEndObject();

            w.WriteString("AggregationKind", a.AggregationKind.ToString());
            w.WriteString("Kind", a.Kind.ToString());

            w.WriteStartArray("UniqueScripts");
            foreach (var r in a.UniqueScripts ?? Array.Empty<UniqueRunCommandScript>()) WriteRow(w, r);
            w.WriteEndArray();
            w.WriteStartArray("FailedOperations");
            foreach (var r in a.FailedOperations ?? Array.Empty<RunCommandOperation>()) WriteRow(w, r);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private static void WriteRow(Utf8JsonWriter w, UniqueRunCommandScript r)
        {
            w.WriteStartObject();
            // The rule's projected columns first, in its order...
            Date(w, "timestamp", r.timestamp);
            Date(w, "StartTime", r.StartTime);
            Date(w, "EndTime", r.EndTime);
            w.WriteString("PowershellFileName", r.PowershellFileName);
            w.WriteString("VirtualMachineName", r.VirtualMachineName);
            w.WriteString("Caller", r.Caller);
            w.WriteString("CallerName", r.CallerName);
            w.WriteString("CallerUPNSuffix", r.CallerUPNSuffix);
            w.WriteString("CallerIpAddress", r.CallerIpAddress);
            Strings(w, "PowershellScriptCommands", r.PowershellScriptCommands);
            Long(w, "PowershellFileSize", r.PowershellFileSize);
            w.WriteString("ScriptFingerprintHash", r.ScriptFingerprintHash);
            Real(w, "Prevalence", r.Prevalence);
            w.WriteString("Scope", r.Scope);
            // ...then what the module adds for the responder.
            w.WriteNumber("HashCount", r.HashCount);
            w.WriteString("Fingerprint", r.Fingerprint.ToString());
            w.WriteString("CorrelationId", r.CorrelationId);
            w.WriteString("Subscription", r.Subscription);
            w.WriteString("DeviceName", r.DeviceName);
            Date(w, "PowershellFileCreatedTimestamp", r.PowershellFileCreatedTimestamp);
            Date(w, "PowershellExecStart", r.PowershellExecStart);
            Date(w, "PowershellExecEnd", r.PowershellExecEnd);
            w.WriteString("InitiatingProcessCommandLine", r.InitiatingProcessCommandLine);
            w.WriteString("OperationKind", r.OperationKind);
            w.WriteString("Compatibility", r.Compatibility.ToString());
            w.WriteEndObject();
        }

        private static void WriteRow(Utf8JsonWriter w, RunCommandOperation r)
        {
            w.WriteStartObject();
            Date(w, "StartTime", r.StartTime);
            Date(w, "EndTime", r.EndTime);
            w.WriteString("Subscription", r.Subscription);
            w.WriteString("ResourceGroup", r.ResourceGroup);
            w.WriteString("VirtualMachineName", r.VirtualMachineName);
            w.WriteString("CorrelationId", r.CorrelationId);
            w.WriteString("Caller", r.Caller);
            w.WriteString("CallerIpAddress", r.CallerIpAddress);
            w.WriteString("Scope", r.Scope);
            w.WriteString("Status", r.Status);
            Strings(w, "ActivityStatusValues", r.ActivityStatusValues);
            w.WriteString("OperationNameValue", r.OperationNameValue);
            w.WriteString("OperationKind", r.OperationKind);
            w.WriteString("Authorization", r.Authorization);
            w.WriteString("Compatibility", r.Compatibility.ToString());
            w.WriteEndObject();
        }

        private static void Date(Utf8JsonWriter w, string name, DateTime d) => w.WriteString(name, ReportDates.Format(d));

        private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string>? items)
        {
            w.WriteStartArray(name);
            if (items != null) foreach (var s in items) w.WriteStringValue(s ?? "");
            w.WriteEndArray();
        }

        private static void Optional(Utf8JsonWriter w, string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) w.WriteString(name, value);
        }

        private static void Long(Utf8JsonWriter w, string name, long? value)
        {
            if (value.HasValue) w.WriteNumber(name, value.Value);
            else w.WriteNull(name);
        }

        private static void Real(Utf8JsonWriter w, string name, double value)
        {
            // JSON has no NaN/Infinity; Kusto writes them as strings, so do the same rather than fail the file.
            if (double.IsNaN(value) || double.IsInfinity(value))
                w.WriteString(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            else w.WriteNumber(name, value);
        }
    }
}
