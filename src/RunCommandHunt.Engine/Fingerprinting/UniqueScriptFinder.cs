using System;
using System.Collections.Generic;
using RunCommandHunt.Engine.Correlation;

namespace RunCommandHunt.Engine.Fingerprinting
{
    /// <summary>
    /// The analytic rule's last block: fingerprint prevalence over every execution received, and the rare ones.
    /// </summary>
    public static class UniqueScriptFinder
    {
        public static IEnumerable<UniqueRunCommandScript> Find(
            IReadOnlyList<RunCommandScriptExecution> executions,
            CompatibilityMode mode,
            FingerprintKind kind = FingerprintKind.Commands,
            long maximumCount = 1)
        {
            if (maximumCount < 1) throw new ArgumentOutOfRangeException(nameof(maximumCount), "MaximumCount must be at least 1.");

            // The seed modes hash the list as the rule built it; the default hashes the rule's normal form, so the
            // hash is Sentinel's whatever order or case the executions carry their commands in.
            bool normalize = mode == CompatibilityMode.None;
            var hashes = new string[executions.Count];
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            // The seeds' fan-out rows share one command list (and often one size): hash each pair once, not per row.
            var known = new Dictionary<(string[]?, long?), string>(ListIdentity.Instance);
            for (int i = 0; i < executions.Count; i++)
            {
                var x = executions[i];
                var key = (x.PowershellScriptCommands, kind == FingerprintKind.CommandsAndSize ? x.PowershellFileSize : null);
                if (x.PowershellScriptCommands == null || !known.TryGetValue(key, out var h))
                {
                    h = Fingerprint(x, kind, normalize);
                    if (x.PowershellScriptCommands != null) known[key] = h;
                }
                hashes[i] = h;
                counts[h] = counts.TryGetValue(h, out var c) ? c + 1 : 1;
            }

            // let totals = toscalar(RunCommandData | summarize count()): every row, fan-out included.
            long totals = executions.Count;
            for (int i = 0; i < executions.Count; i++)
            {
                long hashCount = counts[hashes[i]];
                if (hashCount > maximumCount) continue;
                // Prevalence = toreal(HashCount) / toreal(totals) * 100, evaluated in that order.
                yield return ToFinding(executions[i], hashes[i], hashCount, (double)hashCount / (double)totals * 100, kind, mode);
            }
        }

        /// <summary>The rule's result row for an execution: its columns plus timestamp, CallerName and CallerUPNSuffix
        /// (split(Caller, "@")[0] and [1]).</summary>
        public static UniqueRunCommandScript ToFinding(RunCommandScriptExecution x, string hash, long hashCount, double prevalence,
            FingerprintKind kind, CompatibilityMode mode) =>
            new UniqueRunCommandScript
            {
                timestamp = x.StartTime,
                StartTime = x.StartTime,
                EndTime = x.EndTime,
                PowershellFileName = x.PowershellFileName,
                VirtualMachineName = x.VirtualMachineName,
                Caller = x.Caller,
                CallerName = KustoSemantics.SplitAt(x.Caller, '@', 0),
                CallerUPNSuffix = KustoSemantics.SplitAt(x.Caller, '@', 1),
                CallerIpAddress = x.CallerIpAddress,
                PowershellScriptCommands = x.PowershellScriptCommands ?? Array.Empty<string>(),
                PowershellFileSize = x.PowershellFileSize,
                ScriptFingerprintHash = hash,
                Prevalence = prevalence,
                Scope = x.Scope,
                HashCount = hashCount,
                Fingerprint = kind,
                CorrelationId = x.CorrelationId,
                Subscription = x.Subscription,
                DeviceName = x.DeviceName,
                PowershellFileCreatedTimestamp = x.PowershellFileCreatedTimestamp,
                PowershellExecStart = x.PowershellExecStart,
                PowershellExecEnd = x.PowershellExecEnd,
                InitiatingProcessCommandLine = x.InitiatingProcessCommandLine,
                OperationKind = x.OperationKind,
                Compatibility = mode,
            };

        /// <summary>Keys by the list's identity (the same array object), not its contents.</summary>
        private sealed class ListIdentity : IEqualityComparer<(string[]?, long?)>
        {
            public static readonly ListIdentity Instance = new ListIdentity();
            public bool Equals((string[]?, long?) a, (string[]?, long?) b) => ReferenceEquals(a.Item1, b.Item1) && a.Item2 == b.Item2;
            public int GetHashCode((string[]?, long?) k) =>
                System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(k.Item1!) * 31 + k.Item2.GetHashCode();
        }

        private static string Fingerprint(RunCommandScriptExecution x, FingerprintKind kind, bool normalize)
        {
            var commands = x.PowershellScriptCommands;
            // An object that carries only a hash (a user's own stage, a CSV round trip) keeps its hash.
            if (commands == null)
                return kind == FingerprintKind.Commands && !string.IsNullOrEmpty(x.ScriptFingerprintHash) ? x.ScriptFingerprintHash : ScriptFingerprint.Compute(Array.Empty<string>(), x.PowershellFileSize, kind, normalize);
            return ScriptFingerprint.Compute(commands, x.PowershellFileSize, kind, normalize);
        }
    }
}
