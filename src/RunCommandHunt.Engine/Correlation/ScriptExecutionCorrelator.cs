using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using RunCommandHunt.Engine.Fingerprinting;
using RunCommandHunt.Engine.Model;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// Links Run Command operations to the script files RunCommandExtension.exe wrote (DeviceFileEvents) and the
    /// PowerShell commands those scripts ran (DeviceEvents).
    /// </summary>
    public static class ScriptExecutionCorrelator
    {
        public const string ExtensionProcess = "RunCommandExtension.exe";

        /// <summary>Would this file event take part in the mode's correlation at all?</summary>
        public static bool IsRelevant(DeviceFileEventRecord e, CompatibilityMode mode)
        {
            if (mode == CompatibilityMode.None) return DefaultCorrelator.IsRunCommandScriptWrite(e);
            if (!string.Equals(e.InitiatingProcessFileName, ExtensionProcess, StringComparison.Ordinal)) return false;
            // Both join FileName == PowershellFileName, which extract() gives as script<N>.ps1 or "" (the rule's
            // isnotempty() drops ""): no other file can reach their output, so none is kept (the extension also writes
            // status and log files).
            return KustoSemantics.IsSeedScriptName(e.FileName) || (mode == CompatibilityMode.HuntingQuery && e.FileName.Length == 0);
        }

        /// <summary>Would this DeviceEvents row take part in the mode's correlation at all?</summary>
        public static bool IsRelevant(DeviceEventRecord e, CompatibilityMode mode)
        {
            switch (mode)
            {
                case CompatibilityMode.HuntingQuery:
                    // No ActionType filter and no isnotempty: every "-File" row goes in, with its extract() result,
                    // unless its command equals that (possibly empty) name.
                    if (!KustoSemantics.Has(e.InitiatingProcessCommandLine, "-File")) return false;
                    return !string.Equals(e.Command, KustoSemantics.ExtractSeedScriptName(e.InitiatingProcessCommandLine), StringComparison.Ordinal);
                case CompatibilityMode.AnalyticRule:
                    if (!KustoSemantics.Has(e.InitiatingProcessCommandLine, "-File")) return false;
                    var name = KustoSemantics.ExtractSeedScriptName(e.InitiatingProcessCommandLine);
                    // where isnotempty(PowershellFileName) | where PSCommand != PowershellFileName (before toupper)
                    return name.Length > 0 && !string.Equals(e.Command, name, StringComparison.Ordinal);
                default:
                    return DefaultCorrelator.IsRelevant(e);
            }
        }

        /// <summary>DeviceProcessEvents take part in the default only (Linux scripts, interpreters and their children).</summary>
        public static bool IsRelevant(DeviceProcessEventRecord e, CompatibilityMode mode) =>
            mode == CompatibilityMode.None && DefaultCorrelator.IsRelevant(e);

        public static IEnumerable<RunCommandScriptExecution> Correlate(
            IReadOnlyList<RunCommandOperation> operations,
            IEnumerable<DeviceFileEventRecord> fileEvents,
            IEnumerable<DeviceEventRecord> deviceEvents,
            CompatibilityMode mode)
            => Correlate(operations, fileEvents, deviceEvents, Array.Empty<DeviceProcessEventRecord>(), mode);

        /// <summary>
        /// The seed modes read DeviceFileEvents and DeviceEvents only; the default also reads DeviceProcessEvents, where
        /// Linux scripts (script.sh run by a shell) and their child processes show.
        /// </summary>
        public static IEnumerable<RunCommandScriptExecution> Correlate(
            IReadOnlyList<RunCommandOperation> operations,
            IEnumerable<DeviceFileEventRecord> fileEvents,
            IEnumerable<DeviceEventRecord> deviceEvents,
            IEnumerable<DeviceProcessEventRecord> processEvents,
            CompatibilityMode mode)
            => Correlate(operations, fileEvents, DeviceEventFold.Of(deviceEvents, mode), processEvents);

        /// <summary>The same, with DeviceEvents folded as they were read (<see cref="DeviceEventFold"/>, of the behaviour to run).</summary>
        public static IEnumerable<RunCommandScriptExecution> Correlate(
            IReadOnlyList<RunCommandOperation> operations,
            IEnumerable<DeviceFileEventRecord> fileEvents,
            DeviceEventFold deviceEvents,
            IEnumerable<DeviceProcessEventRecord> processEvents)
        {
            if (deviceEvents == null) throw new ArgumentNullException(nameof(deviceEvents));
            return deviceEvents.Mode == CompatibilityMode.None
                ? DefaultCorrelator.Correlate(operations, fileEvents, deviceEvents, processEvents)
                : CorrelateSeed(operations, fileEvents, deviceEvents);
        }

        // ---------------------------------------------------------------- the seeds, step for step

        /// <summary>A DeviceEvents group's make_list, in the order the seed sorts it, and its hash.</summary>
        private sealed class SeedCommandList
        {
            public SeedCommandList(DeviceEventFold.SeedCommandGroup group, string[] list, string hash) { Group = group; List = list; Hash = hash; }
            public DeviceEventFold.SeedCommandGroup Group { get; }
            public string[] List { get; }
            public string Hash { get; }
        }

        private static IEnumerable<RunCommandScriptExecution> CorrelateSeed(
            IReadOnlyList<RunCommandOperation> operations,
            IEnumerable<DeviceFileEventRecord> fileEvents,
            DeviceEventFold deviceEvents)
        {
            var mode = deviceEvents.Mode;
            bool rule = mode == CompatibilityMode.AnalyticRule;

            // DeviceFileEvents | where InitiatingProcessFileName == "RunCommandExtension.exe"
            //   | extend VirtualMachineName = tostring(split(DeviceName, ".")[0])   -> indexed by that key (exact)
            var filesByHost = new Dictionary<string, List<DeviceFileEventRecord>>(StringComparer.Ordinal);
            foreach (var f in fileEvents)
            {
                if (!IsRelevant(f, mode)) continue;
                var host = DeviceNames.HostPart(f.DeviceName);
                if (!filesByHost.TryGetValue(host, out var list)) filesByHost[host] = list = new List<DeviceFileEventRecord>();
                list.Add(f);
            }
            foreach (var list in filesByHost.Values) list.Sort((a, b) => a.TimeGenerated.CompareTo(b.TimeGenerated));

            // DeviceEvents side, summarized by the fold as it was read (by PowershellFileName, InitiatingProcessCommandLine)
            var groupsByName = new Dictionary<string, List<SeedCommandList>>(StringComparer.Ordinal);
            foreach (var g in deviceEvents.SeedGroups)
            {
                // make_list follows the sorted input: HQ orders by TimeGenerated asc, AR by PSCommand asc.
                var ordered = rule
                    ? g.Commands.OrderBy(c => c.Command, StringComparer.Ordinal).ThenBy(c => c.Seq)
                    : g.Commands.OrderBy(c => c.Time).ThenBy(c => c.Seq);
                var commands = ordered.Select(c => c.Command).ToArray();
                var entry = new SeedCommandList(g, commands, ScriptFingerprint.Sha256Hex(ScriptFingerprint.ToKustoJson(commands)));
                if (!groupsByName.TryGetValue(g.PowershellFileName, out var list)) groupsByName[g.PowershellFileName] = list = new List<SeedCommandList>();
                list.Add(entry);
            }

            var rows = new List<RunCommandScriptExecution>();
            foreach (var op in operations)
            {
                // join kind=leftouter (...) on VirtualMachineName | where PowershellFileCreatedTimestamp between (StartTime .. EndTime):
                // an operation without a file in its window has a null timestamp and is dropped, as in an inner join.
                if (!filesByHost.TryGetValue(op.VirtualMachineName, out var files)) continue;
                foreach (var f in FilesBetween(files, op.StartTime, op.EndTime))
                {
                    // join kind=inner (...) on $left.FileName == $right.PowershellFileName: the file name alone.
                    if (!groupsByName.TryGetValue(f.FileName, out var matches)) continue;
                    foreach (var g in matches)
                        rows.Add(SeedRow(op, f, g, mode));
                }
            }
            // HQ: order by StartTime asc. AR's final order is undefined; the same order is as good as any.
            return rows.OrderBy(r => r.StartTime);
        }

        private static IEnumerable<DeviceFileEventRecord> FilesBetween(List<DeviceFileEventRecord> timeSorted, DateTime start, DateTime end)
        {
            int lo = 0, hi = timeSorted.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (timeSorted[mid].TimeGenerated < start) lo = mid + 1; else hi = mid;
            }
            for (int i = lo; i < timeSorted.Count && timeSorted[i].TimeGenerated <= end; i++)
                yield return timeSorted[i];
        }

        private static RunCommandScriptExecution SeedRow(RunCommandOperation op, DeviceFileEventRecord f, SeedCommandList c, CompatibilityMode mode)
        {
            var g = c.Group;
            var x = Linked(op, f, mode);
            x.PowershellExecStart = g.ExecStart;
            x.PowershellExecEnd = g.ExecEnd;
            // The seeds project the DeviceEvents group's name (equal to FileName: it is the join key).
            x.PowershellFileName = g.PowershellFileName;
            x.PowershellScriptCommands = c.List;
            x.InitiatingProcessCommandLine = g.InitiatingProcessCommandLine;
            x.ScriptFingerprintHash = c.Hash;
            return x;
        }

        /// <summary>
        /// The operation as linking reads it: every column but Authorization and ActivityStatusValues, which no
        /// execution carries. A stage that holds the operations until the device tables are in keeps this copy, so
        /// that the ~1 KB Authorization texts (most of an operation's size) go once the upstream stage is done.
        /// </summary>
        public static RunCommandOperation ForLinking(RunCommandOperation op) =>
            new RunCommandOperation
            {
                StartTime = op.StartTime,
                EndTime = op.EndTime,
                Subscription = op.Subscription,
                ResourceGroup = op.ResourceGroup,
                VirtualMachineName = op.VirtualMachineName,
                CorrelationId = op.CorrelationId,
                Caller = op.Caller,
                CallerIpAddress = op.CallerIpAddress,
                Scope = op.Scope,
                Status = op.Status,
                OperationNameValue = op.OperationNameValue,
                OperationKind = op.OperationKind,
                Compatibility = op.Compatibility,
            };

        /// <summary>An execution's columns that come from its operation and its script file, in every behaviour.</summary>
        internal static RunCommandScriptExecution Linked(RunCommandOperation op, DeviceFileEventRecord f, CompatibilityMode mode) =>
            new RunCommandScriptExecution
            {
                StartTime = op.StartTime,
                EndTime = op.EndTime,
                PowershellFileCreatedTimestamp = f.TimeGenerated,
                PowershellFileName = f.FileName,
                Caller = op.Caller,
                CallerIpAddress = op.CallerIpAddress,
                PowershellFileSize = f.FileSize,
                VirtualMachineName = op.VirtualMachineName,
                Scope = op.Scope,
                CorrelationId = op.CorrelationId,
                Subscription = op.Subscription,
                DeviceName = f.DeviceName,
                InitiatingProcessId = f.InitiatingProcessId,
                InitiatingProcessAccountName = f.InitiatingProcessAccountName,
                InitiatingProcessAccountDomain = f.InitiatingProcessAccountDomain,
                InitiatingProcessFolderPath = f.InitiatingProcessFolderPath,
                OperationKind = op.OperationKind,
                Compatibility = mode,
            };
    }
}
