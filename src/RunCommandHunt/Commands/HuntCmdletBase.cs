using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;

namespace RunCommandHunt.Commands
{
    /// <summary>
    /// What every RunCommandHunt cmdlet shares: the behaviour switch, cancellation on Ctrl+C, and an engine log that
    /// reaches the PowerShell streams from the pipeline thread only.
    /// </summary>
    public abstract class HuntCmdletBase : PSCmdlet
    {
        private CancellationTokenSource? _cancellation;
        private CmdletLog? _log;

        /// <summary>
        /// HuntingQuery or AnalyticRule: the seed's result row for row, flaws included, so results reconcile with
        /// Sentinel. None (the default): the correct hunt.
        /// </summary>
        [Parameter]
        public CompatibilityMode Compatibility { get; set; } = CompatibilityMode.None;

        protected CancellationToken CancellationToken => (_cancellation ??= new CancellationTokenSource()).Token;

        /// <summary>The engine's view of this cmdlet's streams. Typed as object so cmdlet metadata never names engine types.</summary>
        internal CmdletLog Log => _log ??= new CmdletLog(this);

        protected override void BeginProcessing()
        {
            _cancellation ??= new CancellationTokenSource();
            _log ??= new CmdletLog(this);
        }

        protected override void StopProcessing() => _cancellation?.Cancel();

        /// <summary>Writes what worker threads logged; call from the pipeline thread between results.</summary>
        protected void FlushLog() => _log?.Flush();

        protected void Emit(object item)
        {
            FlushLog();
            WriteObject(item);
        }

        /// <summary>Engine exceptions become error records with stable ids; anything else is rethrown.</summary>
        protected ErrorRecord ToErrorRecord(Exception ex, object? target) => ErrorMapping.ToErrorRecord(ex, target);

        internal sealed class CmdletLog
        {
            private readonly HuntCmdletBase _cmdlet;
            private readonly int _pipelineThread = Thread.CurrentThread.ManagedThreadId;
            private readonly ConcurrentQueue<Action> _pending = new ConcurrentQueue<Action>();

            public CmdletLog(HuntCmdletBase cmdlet) { _cmdlet = cmdlet; }

            public long Warnings;
            public long Rejected;

            public void Post(Action write)
            {
                if (Thread.CurrentThread.ManagedThreadId == _pipelineThread) { Flush(); write(); }
                else _pending.Enqueue(write);
            }

            public void Flush()
            {
                if (Thread.CurrentThread.ManagedThreadId != _pipelineThread) return;
                while (_pending.TryDequeue(out var a)) a();
            }

            public void Verbose(string m) => Post(() => _cmdlet.WriteVerbose(m));
            public void Warning(string m) { Interlocked.Increment(ref Warnings); Post(() => _cmdlet.WriteWarning(m)); }
            public void Error(ErrorRecord r) => Post(() => _cmdlet.WriteError(r));
            public void Progress(ProgressRecord r) => Post(() => _cmdlet.WriteProgress(r));
            public void Debug(string m) => Post(() => _cmdlet.WriteDebug(m));
        }
    }
}
