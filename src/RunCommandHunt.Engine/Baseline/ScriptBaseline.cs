using System;
using System.Collections.Generic;
using System.Linq;
using RunCommandHunt.Engine.Fingerprinting;
using RunCommandHunt.Engine.Reporting;

namespace RunCommandHunt.Engine.Baseline
{
    /// <summary>One script the baseline has seen: when first and last, how often, and one example run.</summary>
    public sealed class BaselineEntry
    {
        public string ScriptFingerprintHash { get; set; } = "";
        public DateTime FirstSeen { get; set; }
        public DateTime LastSeen { get; set; }
        /// <summary>Script runs merged into the baseline with this fingerprint (a run merged twice counts twice).</summary>
        public long Count { get; set; }
        /// <summary>The earliest run seen.</summary>
        public BaselineExample Example { get; set; } = new BaselineExample();

        public BaselineEntry Clone() => new BaselineEntry
        {
            ScriptFingerprintHash = ScriptFingerprintHash, FirstSeen = FirstSeen, LastSeen = LastSeen, Count = Count, Example = Example.Clone(),
        };

        public override string ToString() => $"{ScriptFingerprintHash} {FirstSeen:o}..{LastSeen:o} x{Count}";
    }

    /// <summary>An example run of a baseline script, in the module's column names.</summary>
    public sealed class BaselineExample
    {
        public DateTime StartTime { get; set; }
        public string VirtualMachineName { get; set; } = "";
        public string Caller { get; set; } = "";
        public string CallerIpAddress { get; set; } = "";
        public string PowershellFileName { get; set; } = "";
        public long? PowershellFileSize { get; set; }
        public string[] PowershellScriptCommands { get; set; } = Array.Empty<string>();
        public string CorrelationId { get; set; } = "";
        public string Scope { get; set; } = "";

        public BaselineExample Clone()
        {
            var c = (BaselineExample)MemberwiseClone();
            c.PowershellScriptCommands = (string[])PowershellScriptCommands.Clone();
            return c;
        }
    }

    /// <summary>Whether a script run's fingerprint was in the baseline.</summary>
    public sealed class BaselineClassification
    {
        /// <summary>Set when an execution was classified.</summary>
        public RunCommandScriptExecution? Execution { get; set; }
        /// <summary>Set when a unique-script row was classified.</summary>
        public UniqueRunCommandScript? Script { get; set; }
        /// <summary>The baseline's fingerprint of the run (the rule's normal form; see <see cref="ScriptBaseline"/>).</summary>
        public string ScriptFingerprintHash { get; set; } = "";
        /// <summary>True when the fingerprint was never seen before in the baseline's history.</summary>
        public bool IsNew { get; set; }
        /// <summary>The baseline's record of the fingerprint when known (a copy); null when new.</summary>
        public BaselineEntry? Known { get; set; }
    }

    /// <summary>
    /// The first-seen history of script fingerprints, in memory. Fingerprints are always the analytic rule's normal
    /// form (commands upper-cased and sorted, then hashed as Sentinel does), whatever mode produced the runs, so a
    /// baseline stays valid when a run switches mode. <see cref="BaselineFile"/> loads and stores it.
    /// </summary>
    public sealed class ScriptBaseline
    {
        public const int CurrentVersion = 1;

        private readonly Dictionary<string, BaselineEntry> _entries = new Dictionary<string, BaselineEntry>(StringComparer.OrdinalIgnoreCase);

        public ScriptBaseline(FingerprintKind fingerprint = FingerprintKind.Commands) { Fingerprint = fingerprint; }

        public FingerprintKind Fingerprint { get; }
        /// <summary>When the file was last written (UTC); null for a new baseline.</summary>
        public DateTime? Updated { get; set; }
        public int Count => _entries.Count;
        /// <summary>Entries ordered by FirstSeen, then fingerprint.</summary>
        public IReadOnlyList<BaselineEntry> Entries =>
            _entries.Values.OrderBy(e => e.FirstSeen).ThenBy(e => e.ScriptFingerprintHash, StringComparer.Ordinal).ToList();

        public bool TryGet(string scriptFingerprintHash, out BaselineEntry? entry)
        {
            var ok = _entries.TryGetValue(scriptFingerprintHash ?? "", out var e);
            entry = ok ? e : null;
            return ok;
        }

        /// <summary>The baseline fingerprint of an execution (computed from its commands and size).</summary>
        public string FingerprintOf(RunCommandScriptExecution x) =>
            Compute(x.PowershellScriptCommands, x.PowershellFileSize, x.ScriptFingerprintHash);

        public string FingerprintOf(UniqueRunCommandScript s) =>
            Compute(s.PowershellScriptCommands, s.PowershellFileSize, s.ScriptFingerprintHash);

        private string Compute(string[]? commands, long? size, string given)
        {
            // A row that carries only its hash (no command list) keeps it; it can only be compared as given.
            if (commands == null) return given ?? "";
            return ScriptFingerprint.Compute(commands, size, Fingerprint, normalize: true);
        }

        /// <summary>New or known, for each execution; the baseline is not changed.</summary>
        public IReadOnlyList<BaselineClassification> Classify(IEnumerable<RunCommandScriptExecution> executions)
        {
            if (executions == null) throw new ArgumentNullException(nameof(executions));
            return executions.Where(x => x != null).Select(x => Classification(FingerprintOf(x), c => c.Execution = x)).ToList();
        }

        /// <summary>New or known, for each unique-script row (e.g. to keep only rule findings never seen before).</summary>
        public IReadOnlyList<BaselineClassification> Classify(IEnumerable<UniqueRunCommandScript> scripts)
        {
            if (scripts == null) throw new ArgumentNullException(nameof(scripts));
            return scripts.Where(s => s != null).Select(s => Classification(FingerprintOf(s), c => c.Script = s)).ToList();
        }

        private BaselineClassification Classification(string hash, Action<BaselineClassification> set)
        {
            var c = new BaselineClassification { ScriptFingerprintHash = hash };
            if (_entries.TryGetValue(hash, out var e)) c.Known = e.Clone(); else c.IsNew = true;
            set(c);
            return c;
        }

        /// <summary>Adds the executions to this in-memory baseline. Order does not matter: FirstSeen is the minimum,
        /// LastSeen the maximum, Count the sum, and the example the earliest run. Returns how many executions had
        /// no fingerprint at all (no command list and no hash) and so could not be recorded.</summary>
        public int Merge(IEnumerable<RunCommandScriptExecution> executions)
        {
            if (executions == null) throw new ArgumentNullException(nameof(executions));
            int skipped = 0;
            foreach (var x in executions)
            {
                if (x == null) continue;
                var hash = FingerprintOf(x);
                if (hash.Length == 0) { skipped++; continue; }
                var when = ReportDates.Utc(x.StartTime);
                Merge(new BaselineEntry
                {
                    ScriptFingerprintHash = hash,
                    FirstSeen = when,
                    LastSeen = when,
                    Count = 1,
                    Example = new BaselineExample
                    {
                        StartTime = when,
                        VirtualMachineName = x.VirtualMachineName ?? "",
                        Caller = x.Caller ?? "",
                        CallerIpAddress = x.CallerIpAddress ?? "",
                        PowershellFileName = x.PowershellFileName ?? "",
                        PowershellFileSize = x.PowershellFileSize,
                        PowershellScriptCommands = (string[]?)x.PowershellScriptCommands?.Clone() ?? Array.Empty<string>(),
                        CorrelationId = x.CorrelationId ?? "",
                        Scope = x.Scope ?? "",
                    },
                });
            }
            return skipped;
        }

        /// <summary>Adds one entry (from a file or an observation), combining with any entry of the same fingerprint.</summary>
        internal void Merge(BaselineEntry add)
        {
            if (!_entries.TryGetValue(add.ScriptFingerprintHash, out var e))
            {
                _entries[add.ScriptFingerprintHash] = add.Clone();
                return;
            }
            if (add.FirstSeen < e.FirstSeen) { e.FirstSeen = add.FirstSeen; e.Example = add.Example.Clone(); }
            if (add.LastSeen > e.LastSeen) e.LastSeen = add.LastSeen;
            e.Count += add.Count;
        }

        internal bool Contains(string hash) => _entries.ContainsKey(hash);
    }
}
