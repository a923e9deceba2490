using System;
using System.Collections.Generic;
using System.Linq;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Fingerprinting;
using RunCommandHunt.Engine.Model;

namespace RunCommandHunt.Engine.Tests.Correlation
{
    /// <summary>
    /// The default behaviour as it was written before the engine folded rows as they are read (commit 553360c): every
    /// AzureActivity row of an operation held and sorted; every DeviceEvents row held, then checked in the order read
    /// against the executions of its device. Kept as the reference that the folds must match, not as a second engine.
    /// </summary>
    internal static class RecordReference
    {
        public static List<RunCommandOperation> Operations(IEnumerable<AzureActivityRecord> rows, bool includeFailed)
        {
            var groups = new Dictionary<string, List<AzureActivityRecord>>(StringComparer.OrdinalIgnoreCase);
            foreach (var row in rows)
            {
                if (!OperationBuilder.IsRelevant(row, CompatibilityMode.None)) continue;
                var key = row.CorrelationId.Length > 0 ? row.CorrelationId : "\0" + row.Caller + "\0" + row.Authorization + "\0" + row.TimeGenerated.Ticks;
                if (!groups.TryGetValue(key, out var g)) groups[key] = g = new List<AzureActivityRecord>();
                g.Add(row);
            }
            var result = new List<RunCommandOperation>();
            foreach (var g in groups.Values)
            {
                var ordered = g.OrderBy(r => r.TimeGenerated).ToList();
                var outcome = OperationBuilder.OutcomeOf(ordered);
                if (outcome != "Succeeded" && !includeFailed) continue;
                string scope = "", caller = "", ip = "", auth = "";
                foreach (var r in ordered)
                {
                    if (scope.Length == 0)
                    {
                        scope = KustoSemantics.JsonProperty(r.Authorization, "scope");
                        if (scope.Length == 0) scope = r.ResourceId;
                        if (scope.Length > 0) auth = r.Authorization;
                    }
                    if (caller.Length == 0) caller = r.Caller;
                    if (ip.Length == 0) ip = r.CallerIpAddress;
                }
                var parsed = ResourceScope.Parse(scope);
                var first = ordered[0];
                result.Add(new RunCommandOperation
                {
                    StartTime = first.TimeGenerated,
                    EndTime = ordered[ordered.Count - 1].TimeGenerated,
                    Subscription = parsed.Subscription.Length > 0 ? parsed.Subscription : first.SubscriptionId,
                    ResourceGroup = parsed.ResourceGroup.Length > 0 ? parsed.ResourceGroup : first.ResourceGroup,
                    VirtualMachineName = parsed.MachineName,
                    CorrelationId = first.CorrelationId,
                    Caller = caller,
                    CallerIpAddress = ip,
                    Scope = scope,
                    Status = outcome,
                    ActivityStatusValues = ordered.Select(r => r.ActivityStatusValue).ToArray(),
                    OperationNameValue = first.OperationNameValue,
                    OperationKind = RunCommandKinds.KindOf(first.OperationNameValue) ?? "",
                    Authorization = auth.Length > 0 ? auth : first.Authorization,
                    Compatibility = CompatibilityMode.None,
                });
            }
            return result.OrderBy(o => o.StartTime).ThenBy(o => o.CorrelationId, StringComparer.Ordinal).ToList();
        }

        private sealed class Execution
        {
            public RunCommandOperation Operation = null!;
            public DeviceFileEventRecord File = null!;
            public string FullPath = "";
            public string Tail = "";
            public readonly List<(DateTime Time, long Seq, string? Command, string CommandLine)> Run = new List<(DateTime, long, string?, string)>();
            public string ScriptContent = "";
            public bool IsPowerShell => File.FileName.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase);
        }

        public static List<RunCommandScriptExecution> Executions(
            IReadOnlyList<RunCommandOperation> operations,
            IEnumerable<DeviceFileEventRecord> fileEvents,
            IEnumerable<DeviceEventRecord> deviceEvents,
            IEnumerable<DeviceProcessEventRecord> processEvents)
        {
            var opsByMachine = new Dictionary<string, List<RunCommandOperation>>(StringComparer.OrdinalIgnoreCase);
            foreach (var op in operations)
                foreach (var name in DefaultCorrelator.MachineNames(op))
                {
                    if (!opsByMachine.TryGetValue(name, out var list)) opsByMachine[name] = list = new List<RunCommandOperation>();
                    list.Add(op);
                }
            foreach (var list in opsByMachine.Values) list.Sort((a, b) => a.StartTime.CompareTo(b.StartTime));

            var executions = new Dictionary<(RunCommandOperation, string), Execution>();
            foreach (var f in fileEvents)
            {
                if (!DefaultCorrelator.IsRunCommandScriptWrite(f)) continue;
                var op = DefaultCorrelator.OperationFor(opsByMachine, f);
                if (op == null) continue;
                var full = DefaultCorrelator.FullPath(f);
                var key = (op, full.ToLowerInvariant());
                if (executions.TryGetValue(key, out var existing))
                {
                    if (f.TimeGenerated < existing.File.TimeGenerated) existing.File = f;
                    continue;
                }
                executions[key] = new Execution { Operation = op, File = f, FullPath = full, Tail = DefaultCorrelator.Tail(full) };
            }

            var byDevice = new Dictionary<string, List<Execution>>(StringComparer.OrdinalIgnoreCase);
            foreach (var x in executions.Values)
            {
                if (!byDevice.TryGetValue(x.File.DeviceName, out var list)) byDevice[x.File.DeviceName] = list = new List<Execution>();
                list.Add(x);
            }
            foreach (var list in byDevice.Values) list.Sort((a, b) => a.File.TimeGenerated.CompareTo(b.File.TimeGenerated));

            long seq = 0;
            var seen = new HashSet<(string, DateTime, string, string)>();
            foreach (var e in deviceEvents)
            {
                if (!byDevice.TryGetValue(e.DeviceName, out var candidates)) continue;
                var name = DefaultCorrelator.PowerShellScriptName(e.InitiatingProcessCommandLine);
                if (name.Length > 0)
                {
                    var owner = Latest(candidates, e.TimeGenerated, x => x.File.FileName.Equals(name, StringComparison.OrdinalIgnoreCase));
                    if (owner == null) continue;
                    if (!seen.Add((e.DeviceName.ToLowerInvariant(), e.TimeGenerated, e.InitiatingProcessCommandLine, e.AdditionalFields))) continue;
                    string? command = null;
                    if (e.Command.Length > 0
                        && (e.ActionType.Length == 0 || e.ActionType.Equals("PowerShellCommand", StringComparison.OrdinalIgnoreCase))
                        && !e.Command.Equals(owner.File.FileName, StringComparison.OrdinalIgnoreCase))
                        command = e.Command;
                    owner.Run.Add((e.TimeGenerated, seq++, command, e.InitiatingProcessCommandLine));
                }
                else if (e.ScriptContent.Length > 0)
                {
                    var owner = candidates.LastOrDefault(x =>
                        (e.SHA256.Length > 0 && e.SHA256.Equals(x.File.SHA256, StringComparison.OrdinalIgnoreCase))
                        || (e.FileName.Length > 0 && e.FileName.Equals(x.File.FileName, StringComparison.OrdinalIgnoreCase)
                            && x.File.TimeGenerated <= e.TimeGenerated
                            && (e.FolderPath.Length == 0 || DefaultCorrelator.FullPath(e.FolderPath, e.FileName).Equals(x.FullPath, StringComparison.OrdinalIgnoreCase))));
                    if (owner != null && owner.ScriptContent.Length == 0) owner.ScriptContent = e.ScriptContent;
                }
            }

            foreach (var p in processEvents)
            {
                if (!byDevice.TryGetValue(p.DeviceName, out var candidates)) continue;
                var runner = Latest(candidates, p.TimeGenerated, x => References(p.ProcessCommandLine, x));
                if (runner != null)
                {
                    runner.Run.Add((p.TimeGenerated, seq++, null, p.ProcessCommandLine));
                    continue;
                }
                var parent = Latest(candidates, p.TimeGenerated, x => References(p.InitiatingProcessCommandLine, x));
                if (parent == null) continue;
                parent.Run.Add((p.TimeGenerated, seq++, parent.IsPowerShell ? null : p.ProcessCommandLine, p.InitiatingProcessCommandLine));
            }

            var results = new List<RunCommandScriptExecution>();
            foreach (var x in executions.Values)
            {
                if (x.Run.Count == 0 && x.ScriptContent.Length == 0) continue;
                var run = x.Run.OrderBy(t => t.Time).ThenBy(t => t.Seq).ToList();
                var commands = run.Where(t => t.Command != null).Select(t => t.Command!).ToArray();
                var f = x.File;
                var execution = ScriptExecutionCorrelator.Linked(x.Operation, f, CompatibilityMode.None);
                execution.PowershellExecStart = run.Count > 0 ? run[0].Time : f.TimeGenerated;
                execution.PowershellExecEnd = run.Count > 0 ? run[run.Count - 1].Time : f.TimeGenerated;
                execution.PowershellScriptCommands = commands;
                execution.InitiatingProcessCommandLine = run.Count > 0 ? run[0].CommandLine : "";
                execution.ScriptFingerprintHash = ScriptFingerprint.Compute(commands, f.FileSize, FingerprintKind.Commands, normalize: true);
                execution.ScriptContent = x.ScriptContent;
                results.Add(execution);
            }
            return results
                .OrderBy(r => r.StartTime)
                .ThenBy(r => r.PowershellFileCreatedTimestamp)
                .ThenBy(r => r.DeviceName, StringComparer.OrdinalIgnoreCase)
                .ToList();
        }

        private static Execution? Latest(List<Execution> timeOrdered, DateTime time, Func<Execution, bool> match)
        {
            Execution? owner = null;
            foreach (var x in timeOrdered)
            {
                if (x.File.TimeGenerated > time) break;
                if (match(x)) owner = x;
            }
            return owner;
        }

        private static bool References(string commandLine, Execution x)
        {
            if (commandLine.Length == 0) return false;
            if (x.IsPowerShell) return DefaultCorrelator.PowerShellScriptName(commandLine).Equals(x.File.FileName, StringComparison.OrdinalIgnoreCase);
            return commandLine.IndexOf(x.FullPath, StringComparison.OrdinalIgnoreCase) >= 0
                || (x.Tail.Length > 0 && commandLine.IndexOf(x.Tail, StringComparison.OrdinalIgnoreCase) >= 0);
        }
    }
}
