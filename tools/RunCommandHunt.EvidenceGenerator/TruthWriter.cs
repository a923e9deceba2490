using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RunCommandHunt.EvidenceGenerator
{
    /// <summary>truth.json: for every Run Command the generator made, what really happened and what the
    /// default hunt should therefore report.</summary>
    internal static class TruthWriter
    {
        public static void Write(string path, EvidencePlan plan, GeneratorOptions options, IReadOnlyList<TableSink> tables)
        {
            // Uniqueness is counted over what the hunt reports: operations that succeeded (all of which ran a script).
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            var countsWithSize = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var op in plan.Operations.Where(o => o.Succeeded))
            {
                counts[op.Script.Fingerprint] = counts.TryGetValue(op.Script.Fingerprint, out int c) ? c + 1 : 1;
                string ws = WithSize(op);
                countsWithSize[ws] = countsWithSize.TryGetValue(ws, out int d) ? d + 1 : 1;
            }

            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            w.WriteStartObject();
            w.WriteString("generator", "RunCommandHunt.EvidenceGenerator");
            w.WriteString("note", "Synthetic data. Every name, address and identifier is made up.");
            w.WriteString("mode", plan.Mode);
            w.WriteNumber("seed", options.Seed);
            if (options.Rows.HasValue) w.WriteNumber("requestedRows", options.Rows.Value); else w.WriteNull("requestedRows");
            w.WriteString("format", options.FormatName);
            w.WriteString("windowStart", Formats.Iso7(plan.WindowStart));
            w.WriteString("windowEnd", Formats.Iso7(plan.WindowStart + plan.Window));
            w.WriteString("scriptFingerprintHash",
                "lower-case hex SHA-256 of the UTF-8 compact JSON array of 'commands', each upper-cased (invariant), sorted ordinally; e.g. [\"GET-PROCESS\",\"WRITE-OUTPUT\"]");
            w.WriteString("scriptFingerprintHashWithSize", "the same JSON text followed by fileSize in decimal, then SHA-256");
            w.WriteString("fingerprintCount",
                "how many succeeded Run Commands share the fingerprint; unique = succeeded and fingerprintCount == 1");
            w.WriteString("commands",
                "the Command values of the PowerShellCommand rows after the script's own row, in time order; deviceEventsWithoutCommand counts other DeviceEvents rows of the same PowerShell process (same command line, no Command)");

            w.WriteStartObject("tables");
            foreach (var t in tables)
            {
                w.WriteStartObject(t.Schema.Name);
                w.WriteString("file", Path.GetFileName(t.Path));
                w.WriteNumber("rows", t.RowsWritten);
                w.WriteEndObject();
            }
            w.WriteEndObject();

            var succeeded = plan.Operations.Where(o => o.Succeeded).ToList();
            w.WriteStartObject("summary");
            w.WriteNumber("runCommands", plan.Operations.Count);
            w.WriteNumber("succeeded", succeeded.Count);
            w.WriteNumber("failedAfterScript", plan.Operations.Count(o => o.Outcome == RunCommandOutcome.FailedAfterScript));
            w.WriteNumber("failedBeforeScript", plan.Operations.Count(o => o.Outcome == RunCommandOutcome.FailedBeforeScript));
            w.WriteNumber("virtualMachines", plan.Fleet.Vms.Count);
            w.WriteNumber("devices", plan.Fleet.Vms.Count + plan.Fleet.Workstations.Count);
            w.WriteNumber("distinctFingerprints", counts.Count);
            w.WriteNumber("uniqueScripts", counts.Values.Count(v => v == 1));
            w.WriteNumber("uniqueScriptsWithSize", countsWithSize.Values.Count(v => v == 1));
            w.WriteEndObject();

            w.WriteStartArray("uniqueScripts");
            foreach (var op in succeeded.Where(o => counts[o.Script.Fingerprint] == 1))
            {
                w.WriteStartObject();
                w.WriteString("correlationId", op.CorrelationId);
                w.WriteString("virtualMachineName", op.Machine.VmName);
                w.WriteString("deviceName", op.Machine.DeviceName);
                w.WriteString("scriptFileName", op.ScriptFileName);
                w.WriteString("scriptFingerprintHash", op.Script.Fingerprint);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("runCommands");
            foreach (var op in plan.Operations) WriteOperation(w, op, counts, countsWithSize);
            w.WriteEndArray();

            w.WriteStartArray("pinnedRows");
            foreach (var p in plan.Pinned.OrderBy(p => p.At))
            {
                w.WriteStartObject();
                w.WriteString("time", Formats.Iso7(p.At));
                w.WriteString("description", p.Description);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }

        private static string WithSize(RunCommandOperation op) => ScriptFingerprint.WithSize(op.Script.Commands, op.Script.FileSize);

        private static void WriteOperation(Utf8JsonWriter w, RunCommandOperation op, Dictionary<string, int> counts, Dictionary<string, int> countsWithSize)
        {
            var m = op.Machine;
            w.WriteStartObject();
            w.WriteNumber("index", op.Index);
            w.WriteString("scenario", op.Scenario);
            w.WriteString("correlationId", op.CorrelationId);
            w.WriteString("subscriptionId", m.Subscription!.Id);
            w.WriteString("resourceGroup", m.ResourceGroup);
            w.WriteString("virtualMachineName", m.VmName);
            w.WriteString("scope", op.Scope);
            w.WriteString("deviceName", m.DeviceName);
            w.WriteString("deviceId", m.DeviceId);
            w.WriteString("caller", op.Caller.Caller);
            w.WriteBoolean("callerIsServicePrincipal", op.Caller.IsServicePrincipal);
            w.WriteString("callerIpAddress", op.CallerIpAddress);
            w.WriteString("operationNameValue", op.OperationNameValue);
            w.WriteStartArray("activityStatusValues");
            foreach (var s in op.ActivityStatusValues) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteString("startTime", Formats.Iso7(op.Started));
            w.WriteString("endTime", Formats.Iso7(op.Ended));
            w.WriteString("outcome", op.Outcome.ToString());
            w.WriteBoolean("succeeded", op.Succeeded);
            w.WriteBoolean("wroteScript", op.WroteScript);
            if (!op.WroteScript)
            {
                w.WriteNull("scriptFileName");
                w.WriteEndObject();
                return;
            }
            var commands = op.CommandsRun;
            w.WriteString("scriptFileName", op.ScriptFileName);
            w.WriteString("scriptFolderPath", op.ScriptFolderPath);
            w.WriteString("fileCreatedTime", Formats.Iso7(op.FileCreated!.Value));
            w.WriteNumber("fileSize", op.Script.FileSize);
            w.WriteString("fileSha256", op.Script.Sha256);
            w.WriteNumber("extensionProcessId", op.ExtensionProcessId);
            w.WriteString("initiatingProcessCommandLine", op.PowerShellCommandLine);
            w.WriteNumber("powershellProcessId", op.PowerShellProcessId);
            w.WriteString("powershellScriptEventTime", Formats.Iso7(op.PowerShellEventTimes[0]));
            w.WriteString("powershellExecStart", Formats.Iso7(op.PowerShellEventTimes[1]));
            w.WriteString("powershellExecEnd", Formats.Iso7(op.PowerShellEventTimes[op.PowerShellEventTimes.Length - 1]));
            w.WriteString("scriptTemplate", op.Script.TemplateName);
            w.WriteStartArray("commands");
            foreach (var c in commands) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteNumber("deviceEventsWithoutCommand", RunCommandEmitter.RowsWithoutCommand(op));
            // Failed runs executed only part of the script, so their fingerprint is of what ran.
            string fingerprint = ScriptFingerprint.Of(commands);
            string withSize = ScriptFingerprint.WithSize(commands, op.Script.FileSize);
            w.WriteString("scriptFingerprintHash", fingerprint);
            w.WriteNumber("fingerprintCount", counts.TryGetValue(fingerprint, out int c1) ? c1 : 0);
            w.WriteBoolean("unique", op.Succeeded && c1 == 1);
            w.WriteString("scriptFingerprintHashWithSize", withSize);
            w.WriteNumber("fingerprintWithSizeCount", countsWithSize.TryGetValue(withSize, out int c2) ? c2 : 0);
            w.WriteBoolean("uniqueWithSize", op.Succeeded && c2 == 1);
            w.WriteEndObject();
        }
    }
}
