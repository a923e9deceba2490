using System;
using System.Collections.Generic;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// DeviceEvents folded as they are read: of each row the correlation can use, only what it takes from it (time,
    /// command, command line), grouped as the behaviour groups them. DeviceEvents is the largest table and its rows
    /// the most numerous the hunt keeps; holding a few fields per row instead of the record, with the commands shared,
    /// keeps memory near the size of the results while the table streams through.
    /// </summary>
    public sealed class DeviceEventFold : IEvidenceFold<DeviceEventRecord>
    {
        private readonly SharedTexts shared = new SharedTexts();
        private long seq;

        public DeviceEventFold(CompatibilityMode mode) { Mode = mode; }

        public CompatibilityMode Mode { get; }

        /// <summary>Rows folded in (those the behaviour uses).</summary>
        public long Count { get; private set; }

        public static DeviceEventFold Of(IEnumerable<DeviceEventRecord> events, CompatibilityMode mode)
        {
            var fold = new DeviceEventFold(mode);
            foreach (var e in events) fold.Add(e);
            return fold;
        }

        /// <summary>Folds a row in. The seeds ignore rows their DeviceEvents block drops; the default ignores rows with
        /// neither a -File script nor script text (which of those runs belong to a handler is the reader's
        /// RelevanceFilters' decision, as it was the correlator's input before the fold).</summary>
        public void Add(DeviceEventRecord e)
        {
            if (e == null) throw new ArgumentNullException(nameof(e));
            if (Mode == CompatibilityMode.None) AddDefault(e);
            else AddSeed(e);
        }

        public IEvidenceFold<DeviceEventRecord> NewPart() => new DeviceEventFold(Mode);

        public void ShiftLines(long lines)
        {
            // The rows kept whole are the only ones that still know their line.
            foreach (var e in scriptContent) e.Origin = e.Origin.MovedOn(lines);
        }

        public void Append(IEvidenceFold<DeviceEventRecord> later)
        {
            var part = (DeviceEventFold)later;
            if (part.Mode != Mode) throw new ArgumentException("a part of another behaviour's fold", nameof(later));
            Count += part.Count;
            // The part kept its own copies of the texts: what is appended points to these instead.
            foreach (var r in part.runs)
            {
                if (!runs.TryGetValue(r.Key, out var mine))
                {
                    // A list's key is its device and script name (AddDefault): each shared once, for both.
                    mine = new ScriptRuns(Shared(r.Value.DeviceName), Shared(r.Value.ScriptName));
                    runs[(mine.DeviceName, mine.ScriptName)] = mine;
                }
                foreach (var e in r.Value.Events)
                    mine.Events.Add(new RunEvent(e.Time, e.Command == null ? null : Shared(e.Command), Shared(e.CommandLine), Shared(e.AdditionalFields), Shared(e.DeviceName)));
            }
            scriptContent.AddRange(part.scriptContent);
            foreach (var g in part.seedGroups)
            {
                var commands = g.Value.Commands;
                for (int i = 0; i < commands.Count; i++) commands[i] = (commands[i].Time, commands[i].Seq + seq, Shared(commands[i].Command));
                if (seedGroups.TryGetValue(g.Key, out var mine))
                {
                    if (g.Value.ExecStart < mine.ExecStart) mine.ExecStart = g.Value.ExecStart;
                    if (g.Value.ExecEnd > mine.ExecEnd) mine.ExecEnd = g.Value.ExecEnd;
                    mine.Commands.AddRange(commands);
                }
                else seedGroups[g.Key] = g.Value;
            }
            seq += part.seq;
        }

        /// <summary>One copy of each text kept: scripts run the same few hundred cmdlets.</summary>
        private string Shared(string s) => shared.Share(s);

        // ------------------------------------------------------------------ the default

        /// <summary>A PowerShell event of a script run: what the default keeps of it.</summary>
        internal readonly struct RunEvent
        {
            public RunEvent(DateTime time, string? command, string commandLine, string additionalFields, string deviceName)
            {
                Time = time; Command = command; CommandLine = commandLine; AdditionalFields = additionalFields; DeviceName = deviceName;
            }

            public DateTime Time { get; }
            /// <summary>The command it counts for the script, null when none (another action, or the script itself).</summary>
            public string? Command { get; }
            public string CommandLine { get; }
            /// <summary>With the device, time and command line: the identity of an event exported twice.</summary>
            public string AdditionalFields { get; }
            public string DeviceName { get; }
        }

        /// <summary>The PowerShell events of one script name on one device (both compared ignoring case), in the order read.</summary>
        internal sealed class ScriptRuns
        {
            public ScriptRuns(string deviceName, string scriptName) { DeviceName = deviceName; ScriptName = scriptName; }
            public string DeviceName { get; }
            public string ScriptName { get; }
            public readonly List<RunEvent> Events = new List<RunEvent>();
        }

        private readonly Dictionary<(string, string), ScriptRuns> runs = new Dictionary<(string, string), ScriptRuns>(IgnoreCasePair.Instance);
        private readonly List<DeviceEventRecord> scriptContent = new List<DeviceEventRecord>();

        /// <summary>Per (device, script name), in the order first read.</summary>
        internal IEnumerable<ScriptRuns> Runs => runs.Values;

        /// <summary>Rows without a -File run that carry the script's text (MDE on Linux), in the order read: few, kept whole.</summary>
        internal IReadOnlyList<DeviceEventRecord> ScriptContentEvents => scriptContent;

        private void AddDefault(DeviceEventRecord e)
        {
            var name = DefaultCorrelator.PowerShellScriptName(e.InitiatingProcessCommandLine);
            if (name.Length > 0)
            {
                // Each kept text once: a machine runs a handler's few script names with one command line, again and again.
                var device = Shared(e.DeviceName);
                if (!runs.TryGetValue((device, name), out var r))
                {
                    // The key holds the list's own shared texts, not this row's copy of the name.
                    r = new ScriptRuns(device, Shared(name));
                    runs[(r.DeviceName, r.ScriptName)] = r;
                }
                string? command = null;
                if (e.Command.Length > 0
                    && (e.ActionType.Length == 0 || e.ActionType.Equals("PowerShellCommand", StringComparison.OrdinalIgnoreCase))
                    // The first PowerShellCommand of a Run Command script is the script itself (the script the run
                    // belongs to has this name, ignoring case).
                    && !e.Command.Equals(name, StringComparison.OrdinalIgnoreCase))
                    command = Shared(e.Command);
                r.Events.Add(new RunEvent(e.TimeGenerated, command, Shared(e.InitiatingProcessCommandLine), Shared(e.AdditionalFields), device));
                Count++;
            }
            else if (e.ScriptContent.Length > 0)
            {
                scriptContent.Add(e);
                Count++;
            }
        }

        private sealed class IgnoreCasePair : IEqualityComparer<(string, string)>
        {
            public static readonly IgnoreCasePair Instance = new IgnoreCasePair();
            public bool Equals((string, string) a, (string, string) b) =>
                StringComparer.OrdinalIgnoreCase.Equals(a.Item1, b.Item1) && StringComparer.OrdinalIgnoreCase.Equals(a.Item2, b.Item2);
            public int GetHashCode((string, string) k) =>
                StringComparer.OrdinalIgnoreCase.GetHashCode(k.Item1) * 31 + StringComparer.OrdinalIgnoreCase.GetHashCode(k.Item2);
        }

        // ------------------------------------------------------------------ the seeds

        /// <summary>summarize min(TimeGenerated), max(TimeGenerated), make_list(PSCommand) by PowershellFileName, InitiatingProcessCommandLine.</summary>
        internal sealed class SeedCommandGroup
        {
            public SeedCommandGroup(string powershellFileName, string commandLine)
            {
                PowershellFileName = powershellFileName; InitiatingProcessCommandLine = commandLine;
            }

            public string PowershellFileName { get; }
            public string InitiatingProcessCommandLine { get; }
            public DateTime ExecStart = DateTime.MaxValue;
            public DateTime ExecEnd = DateTime.MinValue;
            public readonly List<(DateTime Time, long Seq, string Command)> Commands = new List<(DateTime, long, string)>();
        }

        private readonly Dictionary<(string, string), SeedCommandGroup> seedGroups = new Dictionary<(string, string), SeedCommandGroup>();

        /// <summary>The groups in the order first read.</summary>
        internal IEnumerable<SeedCommandGroup> SeedGroups => seedGroups.Values;

        private void AddSeed(DeviceEventRecord e)
        {
            if (!ScriptExecutionCorrelator.IsRelevant(e, Mode)) return;
            var name = KustoSemantics.ExtractSeedScriptName(e.InitiatingProcessCommandLine);
            var key = (name, e.InitiatingProcessCommandLine);
            if (!seedGroups.TryGetValue(key, out var g)) seedGroups[key] = g = new SeedCommandGroup(name, e.InitiatingProcessCommandLine);
            if (e.TimeGenerated < g.ExecStart) g.ExecStart = e.TimeGenerated;
            if (e.TimeGenerated > g.ExecEnd) g.ExecEnd = e.TimeGenerated;
            // AR: extend PSCommand = toupper(PSCommand) after the != filter
            var command = Mode == CompatibilityMode.AnalyticRule ? UpperShared(e.Command) : Shared(e.Command);
            g.Commands.Add((e.TimeGenerated, seq++, command));
            Count++;
        }

        private readonly Dictionary<string, string> upper = new Dictionary<string, string>(StringComparer.Ordinal);

        private string UpperShared(string s)
        {
            if (upper.TryGetValue(s, out var known)) return known;
            var u = Shared(s.ToUpperInvariant());
            upper[s] = u;
            return u;
        }
    }
}
