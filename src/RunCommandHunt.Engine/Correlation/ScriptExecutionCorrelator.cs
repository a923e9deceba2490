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

        /// <summary>The default's script-name extraction: any case of -File, quoted or not, with or without a folder.</summary>
        private static readonly Regex ScriptNameRegex = new Regex(
            @"-File\s+[""']?(?:[^""'\s]*[\\/])?(script[0-9]{1,9}\.ps1)\b",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Compiled);

        private static readonly Regex ScriptFileRegex = new Regex(
            @"^script[0-9]{1,9}\.ps1$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Compiled);

        /// <summary>Script name of a PowerShell command line in the default behaviour ("" when none).</summary>
        public static string ExtractScriptName(string commandLine)
        {
            if (commandLine.IndexOf("-File", StringComparison.OrdinalIgnoreCase) < 0) return "";
            var m = ScriptNameRegex.Match(commandLine);
            return m.Success ? m.Groups[1].Value : "";
        }

        /// <summary>Would this file event take part in the mode's correlation at all?</summary>
        public static bool IsRelevant(DeviceFileEventRecord e, CompatibilityMode mode)
        {
            if (mode != CompatibilityMode.None)
                return string.Equals(e.InitiatingProcessFileName, ExtensionProcess, StringComparison.Ordinal);
            return string.Equals(e.InitiatingProcessFileName, ExtensionProcess, StringComparison.OrdinalIgnoreCase)
                && ScriptFileRegex.IsMatch(e.FileName);
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
                    return ExtractScriptName(e.InitiatingProcessCommandLine).Length > 0;
            }
        }

        public static IEnumerable<RunCommandScriptExecution> Correlate(
            IReadOnlyList<RunCommandOperation> operations,
            IEnumerable<DeviceFileEventRecord> fileEvents,
            IEnumerable<DeviceEventRecord> deviceEvents,
            CompatibilityMode mode)
        {
            return mode == CompatibilityMode.None
                ? CorrelateDefault(operations, fileEvents, deviceEvents)
                : CorrelateSeed(operations, fileEvents, deviceEvents, mode);
        }

        // ---------------------------------------------------------------- the seeds, step for step

        private sealed class SeedCommandGroup
        {
            public string PowershellFileName = "";
            public string InitiatingProcessCommandLine = "";
            public DateTime ExecStart = DateTime.MaxValue;
            public DateTime ExecEnd = DateTime.MinValue;
            public readonly List<(DateTime Time, long Seq, string Command)> Commands = new List<(DateTime, long, string)>();
            public string[] List = Array.Empty<string>();
            public string Hash = "";
        }

        private static IEnumerable<RunCommandScriptExecution> CorrelateSeed(
            IReadOnlyList<RunCommandOperation> operations,
            IEnumerable<DeviceFileEventRecord> fileEvents,
            IEnumerable<DeviceEventRecord> deviceEvents,
            CompatibilityMode mode)
        {
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

            // DeviceEvents side: summarize min, max, make_list(PSCommand) by PowershellFileName, InitiatingProcessCommandLine
            var groups = new Dictionary<(string, string), SeedCommandGroup>();
            long seq = 0;
            foreach (var e in deviceEvents)
            {
                if (!IsRelevant(e, mode)) continue;
                var name = KustoSemantics.ExtractSeedScriptName(e.InitiatingProcessCommandLine);
                var key = (name, e.InitiatingProcessCommandLine);
                if (!groups.TryGetValue(key, out var g))
                    groups[key] = g = new SeedCommandGroup { PowershellFileName = name, InitiatingProcessCommandLine = e.InitiatingProcessCommandLine };
                if (e.TimeGenerated < g.ExecStart) g.ExecStart = e.TimeGenerated;
                if (e.TimeGenerated > g.ExecEnd) g.ExecEnd = e.TimeGenerated;
                // AR: extend PSCommand = toupper(PSCommand) after the != filter
                g.Commands.Add((e.TimeGenerated, seq++, rule ? e.Command.ToUpperInvariant() : e.Command));
            }
            var groupsByName = new Dictionary<string, List<SeedCommandGroup>>(StringComparer.Ordinal);
            foreach (var g in groups.Values)
            {
                // make_list follows the sorted input: HQ orders by TimeGenerated asc, AR by PSCommand asc.
                var ordered = rule
                    ? g.Commands.OrderBy(c => c.Command, StringComparer.Ordinal).ThenBy(c => c.Seq)
                    : g.Commands.OrderBy(c => c.Time).ThenBy(c => c.Seq);
                g.List = ordered.Select(c => c.Command).ToArray();
                g.Hash = ScriptFingerprint.Sha256Hex(ScriptFingerprint.ToKustoJson(g.List));
                if (!groupsByName.TryGetValue(g.PowershellFileName, out var list)) groupsByName[g.PowershellFileName] = list = new List<SeedCommandGroup>();
                list.Add(g);
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

        private static RunCommandScriptExecution SeedRow(RunCommandOperation op, DeviceFileEventRecord f, SeedCommandGroup g, CompatibilityMode mode) =>
            new RunCommandScriptExecution
            {
                StartTime = op.StartTime,
                EndTime = op.EndTime,
                PowershellFileCreatedTimestamp = f.TimeGenerated,
                PowershellExecStart = g.ExecStart,
                PowershellExecEnd = g.ExecEnd,
                PowershellFileName = g.PowershellFileName,
                PowershellScriptCommands = g.List,
                Caller = op.Caller,
                CallerIpAddress = op.CallerIpAddress,
                InitiatingProcessCommandLine = g.InitiatingProcessCommandLine,
                PowershellFileSize = f.FileSize,
                VirtualMachineName = op.VirtualMachineName,
                Scope = op.Scope,
                ScriptFingerprintHash = g.Hash,
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

        // ---------------------------------------------------------------- the default: one object per real execution

        private sealed class Execution
        {
            public RunCommandOperation Operation = null!;
            public DeviceFileEventRecord File = null!;
            public readonly List<(DateTime Time, long Seq, DeviceEventRecord Event)> Events = new List<(DateTime, long, DeviceEventRecord)>();
        }

        private static IEnumerable<RunCommandScriptExecution> CorrelateDefault(
            IReadOnlyList<RunCommandOperation> operations,
            IEnumerable<DeviceFileEventRecord> fileEvents,
            IEnumerable<DeviceEventRecord> deviceEvents)
        {
            // Operations by machine name (case-insensitive), time-ordered.
            var opsByMachine = new Dictionary<string, List<RunCommandOperation>>(StringComparer.OrdinalIgnoreCase);
            foreach (var op in operations)
            {
                if (op.VirtualMachineName.Length == 0) continue;
                if (!opsByMachine.TryGetValue(op.VirtualMachineName, out var list)) opsByMachine[op.VirtualMachineName] = list = new List<RunCommandOperation>();
                list.Add(op);
            }
            foreach (var list in opsByMachine.Values) list.Sort((a, b) => a.StartTime.CompareTo(b.StartTime));

            // A script file belongs to the operation on the same machine whose window holds its write time (the latest
            // such operation when windows overlap). Create + modify events of one file are one execution.
            var executions = new Dictionary<(RunCommandOperation, string), Execution>();
            foreach (var f in fileEvents)
            {
                if (!IsRelevant(f, CompatibilityMode.None)) continue;
                var op = OperationFor(opsByMachine, f);
                if (op == null) continue;
                var key = (op, f.FileName.ToLowerInvariant());
                if (executions.TryGetValue(key, out var existing))
                {
                    if (f.TimeGenerated < existing.File.TimeGenerated) existing.File = f;
                    continue;
                }
                executions[key] = new Execution { Operation = op, File = f };
            }

            // A run belongs to the latest execution of that script name on that device written at or before it.
            var byDeviceScript = new Dictionary<(string, string), List<Execution>>();
            foreach (var x in executions.Values)
            {
                var k = (x.File.DeviceName.ToLowerInvariant(), x.File.FileName.ToLowerInvariant());
                if (!byDeviceScript.TryGetValue(k, out var list)) byDeviceScript[k] = list = new List<Execution>();
                list.Add(x);
            }
            foreach (var list in byDeviceScript.Values) list.Sort((a, b) => a.File.TimeGenerated.CompareTo(b.File.TimeGenerated));

            long seq = 0;
            var seenEvents = new HashSet<(string, DateTime, string, string)>();
            foreach (var e in deviceEvents)
            {
                var name = ExtractScriptName(e.InitiatingProcessCommandLine);
                if (name.Length == 0) continue;
                if (!byDeviceScript.TryGetValue((e.DeviceName.ToLowerInvariant(), name.ToLowerInvariant()), out var candidates)) continue;
                Execution? owner = null;
                foreach (var x in candidates)
                {
                    if (x.File.TimeGenerated <= e.TimeGenerated) owner = x; else break;
                }
                if (owner == null) continue;
                // The same event exported twice (overlapping exports) is one event.
                if (!seenEvents.Add((e.DeviceName.ToLowerInvariant(), e.TimeGenerated, e.InitiatingProcessCommandLine, e.AdditionalFields))) continue;
                owner.Events.Add((e.TimeGenerated, seq++, e));
            }

            var results = new List<RunCommandScriptExecution>();
            foreach (var x in executions.Values)
            {
                if (x.Events.Count == 0) continue; // a file written but no run recorded: nothing to fingerprint
                var events = x.Events.OrderBy(t => t.Time).ThenBy(t => t.Seq).Select(t => t.Event).ToList();
                var commands = new List<string>();
                foreach (var e in events)
                {
                    if (e.Command.Length == 0) continue;
                    if (e.ActionType.Length > 0 && !e.ActionType.Equals("PowerShellCommand", StringComparison.OrdinalIgnoreCase)) continue;
                    // The first PowerShellCommand of a Run Command script is the script itself.
                    if (e.Command.Equals(x.File.FileName, StringComparison.OrdinalIgnoreCase)) continue;
                    commands.Add(e.Command);
                }
                var op = x.Operation;
                var f = x.File;
                var list = commands.ToArray();
                results.Add(new RunCommandScriptExecution
                {
                    StartTime = op.StartTime,
                    EndTime = op.EndTime,
                    PowershellFileCreatedTimestamp = f.TimeGenerated,
                    PowershellExecStart = events[0].TimeGenerated,
                    PowershellExecEnd = events[events.Count - 1].TimeGenerated,
                    PowershellFileName = f.FileName,
                    PowershellScriptCommands = list,
                    Caller = op.Caller,
                    CallerIpAddress = op.CallerIpAddress,
                    InitiatingProcessCommandLine = events[0].InitiatingProcessCommandLine,
                    PowershellFileSize = f.FileSize,
                    VirtualMachineName = op.VirtualMachineName,
                    Scope = op.Scope,
                    ScriptFingerprintHash = ScriptFingerprint.Compute(list, f.FileSize, FingerprintKind.Commands, normalize: true),
                    CorrelationId = op.CorrelationId,
                    Subscription = op.Subscription,
                    DeviceName = f.DeviceName,
                    InitiatingProcessId = f.InitiatingProcessId,
                    InitiatingProcessAccountName = f.InitiatingProcessAccountName,
                    InitiatingProcessAccountDomain = f.InitiatingProcessAccountDomain,
                    InitiatingProcessFolderPath = f.InitiatingProcessFolderPath,
                    OperationKind = op.OperationKind,
                    Compatibility = CompatibilityMode.None,
                });
            }
            return results
                .OrderBy(r => r.StartTime)
                .ThenBy(r => r.PowershellFileCreatedTimestamp)
                .ThenBy(r => r.DeviceName, StringComparer.OrdinalIgnoreCase);
        }

        private static RunCommandOperation? OperationFor(Dictionary<string, List<RunCommandOperation>> opsByMachine, DeviceFileEventRecord f)
        {
            // The DeviceName is the machine name or an FQDN starting with it; try the full name, then each dotted prefix.
            var name = f.DeviceName;
            while (true)
            {
                if (opsByMachine.TryGetValue(name, out var ops))
                {
                    RunCommandOperation? best = null;
                    foreach (var op in ops)
                    {
                        if (op.StartTime > f.TimeGenerated) break;
                        if (f.TimeGenerated <= op.EndTime) best = op;
                    }
                    if (best != null) return best;
                }
                int dot = name.LastIndexOf('.');
                if (dot <= 0) return null;
                name = name.Substring(0, dot);
            }
        }
    }
}
