using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using RunCommandHunt.Engine.Fingerprinting;
using RunCommandHunt.Engine.Model;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// The default correlation: one object per real execution. A script file written by a Run Command handler links to
    /// the operation on the same machine whose window holds the write; the runs and commands on that device after the
    /// write belong to it. Covers action and managed Run Command on Windows and Linux, scale-set instances and Arc.
    /// </summary>
    internal static class DefaultCorrelator
    {
        private static readonly string[] ScriptExtensions = { ".ps1", ".sh", ".cmd", ".bat" };

        /// <summary>
        /// RunCommandExtension.exe (action, Windows), the RunCommandHandler of managed Run Command, and the Linux
        /// handlers (run-command-extension, run-command-handler, run-command-shim).
        /// </summary>
        public static bool IsRunCommandProcess(string processFileName) =>
            processFileName.IndexOf("runcommand", StringComparison.OrdinalIgnoreCase) >= 0
            || processFileName.IndexOf("run-command", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>The handlers' download folders: C:\Packages\Plugins\Microsoft.CPlat.Core.RunCommand*\..., /var/lib/waagent/run-command*/download/...</summary>
        public static bool IsRunCommandFolder(string path) =>
            path.IndexOf("Microsoft.CPlat.Core.RunCommand", StringComparison.OrdinalIgnoreCase) >= 0
            || path.IndexOf("/waagent/run-command", StringComparison.OrdinalIgnoreCase) >= 0;

        public static bool IsScriptFile(string fileName)
        {
            foreach (var ext in ScriptExtensions)
                if (fileName.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }

        public static bool IsRunCommandScriptWrite(DeviceFileEventRecord f) =>
            IsScriptFile(f.FileName) && (IsRunCommandProcess(f.InitiatingProcessFileName) || IsRunCommandFolder(f.FolderPath));

        /// <summary>
        /// File name (last path segment) of a PowerShell command line's -File argument; "" when none. The argument is
        /// what <c>-File\s+(?:"([^"]+)"|'([^']+)'|([^\s"']+))</c> (any case, culture-invariant) captures at its first
        /// match; scanned by hand because this runs on every candidate DeviceEvents row, and the regex's Match
        /// allocated about half a kilobyte each time.
        /// </summary>
        public static string PowerShellScriptName(string commandLine)
        {
            for (int at = commandLine.IndexOf('-'); at >= 0 && at + 5 <= commandLine.Length; at = commandLine.IndexOf('-', at + 1))
            {
                // "-File" in any case: ASCII letters only, as the invariant regex matches them.
                if ((commandLine[at + 1] | 0x20) != 'f' || (commandLine[at + 2] | 0x20) != 'i'
                    || (commandLine[at + 3] | 0x20) != 'l' || (commandLine[at + 4] | 0x20) != 'e') continue;
                int i = at + 5;
                while (i < commandLine.Length && char.IsWhiteSpace(commandLine[i])) i++;
                if (i == at + 5 || i == commandLine.Length) continue;
                int start, end;
                char first = commandLine[i];
                if (first == '"' || first == '\'')
                {
                    start = i + 1;
                    end = commandLine.IndexOf(first, start);
                    if (end <= start) continue; // unclosed, or empty: no match here
                }
                else
                {
                    start = end = i;
                    while (end < commandLine.Length && !char.IsWhiteSpace(commandLine[end]) && commandLine[end] != '"' && commandLine[end] != '\'') end++;
                }
                int cut = Math.Max(commandLine.LastIndexOf('\\', end - 1, end - start), commandLine.LastIndexOf('/', end - 1, end - start));
                int name = cut >= 0 ? cut + 1 : start;
                return commandLine.Substring(name, end - name);
            }
            return "";
        }

        /// <summary>The handlers name their scripts script&lt;N&gt;.ps1 (action) or script.ps1 (managed); any other -File
        /// run counts only when its path is in a handler's folder.</summary>
        private static readonly Regex HandlerScriptName = new Regex(@"^script[0-9]{0,9}\.ps1$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.Compiled);

        public static bool IsRelevant(DeviceEventRecord e)
        {
            if (e.ScriptContent.Length > 0) return true;
            var name = PowerShellScriptName(e.InitiatingProcessCommandLine);
            return name.Length > 0 && (HandlerScriptName.IsMatch(name) || IsRunCommandFolder(e.InitiatingProcessCommandLine));
        }

        public static bool IsRelevant(DeviceProcessEventRecord p) =>
            ReferencesRunCommand(p.ProcessCommandLine) || ReferencesRunCommand(p.InitiatingProcessCommandLine);

        private static bool ReferencesRunCommand(string commandLine) =>
            IsRunCommandFolder(commandLine) || PowerShellScriptName(commandLine).Length > 0;

        /// <summary>
        /// Names the machine may carry in MDE. A scale-set instance is "ss_7" in ARM, and its computer name is the
        /// scale set's prefix followed by the instance id in base 36 over six characters ("ss000007").
        /// </summary>
        public static IEnumerable<string> MachineNames(RunCommandOperation op)
        {
            if (op.VirtualMachineName.Length == 0) yield break;
            yield return op.VirtualMachineName;
            int us = op.VirtualMachineName.LastIndexOf('_');
            if (us > 0 && long.TryParse(op.VirtualMachineName.Substring(us + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                yield return op.VirtualMachineName.Substring(0, us) + Base36(id).PadLeft(6, '0');
        }

        private static string Base36(long v)
        {
            const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
            if (v == 0) return "0";
            var chars = new List<char>();
            while (v > 0) { chars.Insert(0, digits[(int)(v % 36)]); v /= 36; }
            return new string(chars.ToArray());
        }

        private sealed class Execution
        {
            public RunCommandOperation Operation = null!;
            public DeviceFileEventRecord File = null!;
            public string FullPath = "";
            public string Tail = "";
            /// <summary>Its PowerShell events: places in one (device, script name) list of the fold, which holds them
            /// already (a copy of each here was the largest thing correlation made).</summary>
            public DeviceEventFold.ScriptRuns? Runs;
            public List<int>? RunIndexes;
            /// <summary>Its process events (Linux, interpreters), numbered after every PowerShell event.</summary>
            public List<(DateTime Time, long Seq, string? Command, string CommandLine)>? Processes;

            public bool HasRun => RunIndexes != null || Processes != null;

            public void AddProcess(DateTime time, long seq, string? command, string commandLine) =>
                (Processes ??= new List<(DateTime, long, string?, string)>()).Add((time, seq, command, commandLine));

            /// <summary>All its events, in time order (ties in the order read).</summary>
            public List<(DateTime Time, long Seq, string? Command, string CommandLine)> Run()
            {
                var run = new List<(DateTime Time, long Seq, string? Command, string CommandLine)>((RunIndexes?.Count ?? 0) + (Processes?.Count ?? 0));
                if (RunIndexes != null)
                    foreach (int i in RunIndexes)
                    {
                        var e = Runs!.Events[i];
                        run.Add((e.Time, i, e.Command, e.CommandLine));
                    }
                if (Processes != null) run.AddRange(Processes);
                // Seq is unique in an execution (places in one list, then process numbers): an in-place sort is stable enough.
                run.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Seq.CompareTo(b.Seq));
                return run;
            }
            public string ScriptContent = "";
            public bool IsPowerShell => File.FileName.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase);
        }

        public static IEnumerable<RunCommandScriptExecution> Correlate(
            IReadOnlyList<RunCommandOperation> operations,
            IEnumerable<DeviceFileEventRecord> fileEvents,
            DeviceEventFold deviceEvents,
            IEnumerable<DeviceProcessEventRecord> processEvents)
        {
            var opsByMachine = new Dictionary<string, List<RunCommandOperation>>(StringComparer.OrdinalIgnoreCase);
            foreach (var op in operations)
                foreach (var name in MachineNames(op))
                {
                    if (!opsByMachine.TryGetValue(name, out var list)) opsByMachine[name] = list = new List<RunCommandOperation>();
                    list.Add(op);
                }
            foreach (var list in opsByMachine.Values) list.Sort((a, b) => a.StartTime.CompareTo(b.StartTime));

            // Create and modify events of one file in one operation are one execution; the first write counts.
            var executions = new Dictionary<(RunCommandOperation, string), Execution>();
            // The handlers write a few paths (script1.ps1... in one folder) on every machine: each path's forms once.
            var paths = new Dictionary<string, (string Lower, string Tail)>(StringComparer.Ordinal);
            foreach (var f in fileEvents)
            {
                if (!IsRunCommandScriptWrite(f)) continue;
                var op = OperationFor(opsByMachine, f);
                if (op == null) continue;
                var full = FullPath(f);
                if (!paths.TryGetValue(full, out var forms)) paths[full] = forms = (full.ToLowerInvariant(), Tail(full));
                var key = (op, forms.Lower);
                if (executions.TryGetValue(key, out var existing))
                {
                    if (f.TimeGenerated < existing.File.TimeGenerated) existing.File = f;
                    continue;
                }
                executions[key] = new Execution { Operation = op, File = f, FullPath = full, Tail = forms.Tail };
            }

            var byDevice = new Dictionary<string, List<Execution>>(StringComparer.OrdinalIgnoreCase);
            foreach (var x in executions.Values)
            {
                if (!byDevice.TryGetValue(x.File.DeviceName, out var list)) byDevice[x.File.DeviceName] = list = new List<Execution>();
                list.Add(x);
            }
            foreach (var list in byDevice.Values) list.Sort((a, b) => a.File.TimeGenerated.CompareTo(b.File.TimeGenerated));

            // Windows: PowerShellCommand events of the powershell -File <script> run, folded by device and script name as
            // they were read. Each belongs to the latest execution of that name on the device written at or before it.
            var named = new List<Execution>();
            var seen = new HashSet<(string, DateTime, string, string)>();
            string device = "", deviceLower = ""; // the fold shares device names: lower-cased once per change
            foreach (var r in deviceEvents.Runs)
            {
                if (!byDevice.TryGetValue(r.DeviceName, out var candidates)) continue;
                named.Clear();
                foreach (var x in candidates)
                    if (x.File.FileName.Equals(r.ScriptName, StringComparison.OrdinalIgnoreCase)) named.Add(x);
                if (named.Count == 0) continue;
                // The same event exported twice (overlapping exports) is one event; both copies are in this list.
                seen.Clear();
                for (int i = 0; i < r.Events.Count; i++)
                {
                    var e = r.Events[i];
                    var owner = Latest(named, e.Time);
                    if (owner == null) continue;
                    if (!ReferenceEquals(e.DeviceName, device)) (device, deviceLower) = (e.DeviceName, e.DeviceName.ToLowerInvariant());
                    if (!seen.Add((deviceLower, e.Time, e.CommandLine, e.AdditionalFields))) continue;
                    owner.Runs = r; // one list per execution: its device and its script's name
                    (owner.RunIndexes ??= new List<int>()).Add(i);
                }
            }
            // Linux: MDE records the script text; link it by hash, else by path.
            foreach (var e in deviceEvents.ScriptContentEvents)
            {
                if (!byDevice.TryGetValue(e.DeviceName, out var candidates)) continue;
                var owner = candidates.LastOrDefault(x =>
                    (e.SHA256.Length > 0 && e.SHA256.Equals(x.File.SHA256, StringComparison.OrdinalIgnoreCase))
                    || (e.FileName.Length > 0 && e.FileName.Equals(x.File.FileName, StringComparison.OrdinalIgnoreCase)
                        && x.File.TimeGenerated <= e.TimeGenerated
                        && (e.FolderPath.Length == 0 || FullPath(e.FolderPath, e.FileName).Equals(x.FullPath, StringComparison.OrdinalIgnoreCase))));
                if (owner != null && owner.ScriptContent.Length == 0) owner.ScriptContent = e.ScriptContent;
            }

            // An execution's PowerShell events all come from one (device, script name) list, ordered by their place in
            // it; the process events below come after them all.
            long seq = deviceEvents.Count;
            // Processes: the interpreter that runs the script (run evidence) and, for shell scripts, its children (the commands).
            foreach (var p in processEvents)
            {
                if (!byDevice.TryGetValue(p.DeviceName, out var candidates)) continue;
                var runner = Latest(candidates, p.TimeGenerated, x => References(p.ProcessCommandLine, x));
                if (runner != null)
                {
                    runner.AddProcess(p.TimeGenerated, seq++, null, p.ProcessCommandLine);
                    continue;
                }
                var parent = Latest(candidates, p.TimeGenerated, x => References(p.InitiatingProcessCommandLine, x));
                if (parent == null) continue;
                parent.AddProcess(p.TimeGenerated, seq++, parent.IsPowerShell ? null : p.ProcessCommandLine, p.InitiatingProcessCommandLine);
            }

            var results = new List<RunCommandScriptExecution>();
            // Scripts run the same lists of commands again and again: executions with equal lists share one array
            // (as the seeds' fan-out rows do), hashed once here and once by the fingerprint stage.
            var lists = new Dictionary<string[], (string[] List, string Hash)>(CommandListComparer.Instance);
            foreach (var x in executions.Values)
            {
                if (!x.HasRun && x.ScriptContent.Length == 0) continue; // a file written, no run recorded
                var run = x.Run();
                var commands = run.Where(t => t.Command != null).Select(t => t.Command!).ToArray();
                var f = x.File;
                var execution = ScriptExecutionCorrelator.Linked(x.Operation, f, CompatibilityMode.None);
                execution.PowershellExecStart = run.Count > 0 ? run[0].Time : f.TimeGenerated;
                execution.PowershellExecEnd = run.Count > 0 ? run[run.Count - 1].Time : f.TimeGenerated;
                if (!lists.TryGetValue(commands, out var known))
                    lists[commands] = known = (commands, ScriptFingerprint.Compute(commands, f.FileSize, FingerprintKind.Commands, normalize: true));
                execution.PowershellScriptCommands = known.List;
                execution.InitiatingProcessCommandLine = run.Count > 0 ? run[0].CommandLine : "";
                execution.ScriptFingerprintHash = known.Hash;
                execution.ScriptContent = x.ScriptContent;
                results.Add(execution);
            }
            return results
                .OrderBy(r => r.StartTime)
                .ThenBy(r => r.PowershellFileCreatedTimestamp)
                .ThenBy(r => r.DeviceName, StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>Command lists compared by their contents (ordinal).</summary>
        private sealed class CommandListComparer : IEqualityComparer<string[]>
        {
            public static readonly CommandListComparer Instance = new CommandListComparer();

            public bool Equals(string[]? a, string[]? b)
            {
                if (ReferenceEquals(a, b)) return true;
                if (a == null || b == null || a.Length != b.Length) return false;
                for (int i = 0; i < a.Length; i++)
                    if (!string.Equals(a[i], b[i], StringComparison.Ordinal)) return false;
                return true;
            }

            public int GetHashCode(string[] list)
            {
                int h = list.Length;
                foreach (var s in list) h = unchecked(h * 31 + StringComparer.Ordinal.GetHashCode(s));
                return h;
            }
        }

        /// <summary>The latest of <paramref name="timeOrdered"/> written at or before <paramref name="time"/>.</summary>
        private static Execution? Latest(List<Execution> timeOrdered, DateTime time)
        {
            int lo = 0, hi = timeOrdered.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >> 1;
                if (timeOrdered[mid].File.TimeGenerated <= time) lo = mid + 1; else hi = mid;
            }
            return lo > 0 ? timeOrdered[lo - 1] : null;
        }

        /// <summary>The latest execution written at or before <paramref name="time"/> that matches.</summary>
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

        /// <summary>Does a command line run this script? By its full path or its last folders (download/3/script.sh), or,
        /// for PowerShell, by the -File argument's file name.</summary>
        private static bool References(string commandLine, Execution x)
        {
            if (commandLine.Length == 0) return false;
            if (x.IsPowerShell) return PowerShellScriptName(commandLine).Equals(x.File.FileName, StringComparison.OrdinalIgnoreCase);
            return commandLine.IndexOf(x.FullPath, StringComparison.OrdinalIgnoreCase) >= 0
                || (x.Tail.Length > 0 && commandLine.IndexOf(x.Tail, StringComparison.OrdinalIgnoreCase) >= 0);
        }

        internal static RunCommandOperation? OperationFor(Dictionary<string, List<RunCommandOperation>> opsByMachine, DeviceFileEventRecord f)
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

        internal static string FullPath(DeviceFileEventRecord f) => FullPath(f.FolderPath, f.FileName);

        /// <summary>MDE's FolderPath usually ends with the file name; where it does not, join them.</summary>
        internal static string FullPath(string folder, string file)
        {
            if (folder.Length == 0) return file;
            if (folder.EndsWith(file, StringComparison.OrdinalIgnoreCase)) return folder;
            var sep = folder.IndexOf('/') >= 0 ? "/" : "\\";
            return folder.TrimEnd('/', '\\') + sep + file;
        }

        /// <summary>The last three segments of a path: enough to recognise download/3/script.sh in a relative command line.</summary>
        internal static string Tail(string fullPath)
        {
            var parts = fullPath.Split('/', '\\');
            if (parts.Length < 3) return "";
            var sep = fullPath.IndexOf('/') >= 0 ? "/" : "\\";
            return string.Join(sep, parts.Skip(parts.Length - 3));
        }
    }
}
