using System;
using System.Collections.Generic;

namespace RunCommandHunt.EvidenceGenerator
{
    /// <summary>What to generate: the estate, the Run Commands (known in full before any row is written, so the
    /// truth does not depend on the output), how much noise, and hand-placed rows.</summary>
    internal sealed class EvidencePlan
    {
        public string Mode { get; set; } = "";
        public Fleet Fleet { get; set; } = new Fleet();
        public List<RunCommandOperation> Operations { get; } = new List<RunCommandOperation>();
        public DateTime WindowStart { get; set; }
        public TimeSpan Window { get; set; }
        public long ActivityNoise { get; set; }
        public long FileNoise { get; set; }
        public long EventNoise { get; set; }
        public List<(DateTime At, string Description, Action<Timeline, NoiseEmitter> Emit)> Pinned { get; } =
            new List<(DateTime, string, Action<Timeline, NoiseEmitter>)>();

        /// <summary>Puts operations in start order and numbers them; gives each machine its scriptN sequence.</summary>
        public void Finish()
        {
            Operations.Sort((a, b) => a.Started != b.Started ? a.Started.CompareTo(b.Started) : a.Index.CompareTo(b.Index));
            var next = new Dictionary<Machine, int>();
            for (int i = 0; i < Operations.Count; i++)
            {
                var op = Operations[i];
                op.Index = i;
                if (!op.WroteScript) continue; // ARM refused it: the extension never saw a new configuration.
                if (!next.TryGetValue(op.Machine, out int n)) n = op.Machine.FirstScriptSequence;
                op.SequenceNumber = n;
                next[op.Machine] = n + 1;
            }
            CheckNoOverlap();
        }

        /// <summary>Two operations on one VM must not overlap: Run Command runs one script at a time, and the truth
        /// must be unambiguous for a hunt that links by machine and time.</summary>
        private void CheckNoOverlap()
        {
            var last = new Dictionary<Machine, RunCommandOperation>();
            foreach (var op in Operations)
            {
                if (last.TryGetValue(op.Machine, out var prev) && prev.Ended >= op.Started)
                    throw new InvalidOperationException($"Planned Run Commands {prev.CorrelationId} and {op.CorrelationId} overlap on {op.Machine.VmName}.");
                last[op.Machine] = op;
            }
        }
    }

    internal sealed class RunCommandSource : IActivitySource
    {
        private readonly IReadOnlyList<RunCommandOperation> _ops;
        private readonly RunCommandEmitter _emitter;
        private int _next;

        public RunCommandSource(IReadOnlyList<RunCommandOperation> ops, RunCommandEmitter emitter) { _ops = ops; _emitter = emitter; }

        public bool HasNext => _next < _ops.Count;
        public long NextStartTicks => _ops[_next].Started.Ticks;
        public void EmitNext(Timeline timeline) => _emitter.Emit(_ops[_next++], timeline);
    }
}
