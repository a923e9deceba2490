using System.Management.Automation;
using RunCommandHunt.Engine.Diagnostics;

namespace RunCommandHunt.Commands
{
    /// <summary>Adapts the engine's log to a cmdlet's streams (through the pipeline-thread queue).</summary>
    internal sealed class EngineLog : IHuntLog
    {
        private readonly HuntCmdletBase.CmdletLog _log;
        private readonly int _activityId;

        public EngineLog(HuntCmdletBase.CmdletLog log, int activityId = 1)
        {
            _log = log; _activityId = activityId;
        }

        public void Verbose(string message) => _log.Verbose(message);

        public void Warning(string message) => _log.Warning(message);

        public void RowRejected(EvidenceRowError error)
        {
            System.Threading.Interlocked.Increment(ref _log.Rejected);
            _log.Error(ErrorMapping.RowRejected(error));
        }

        public void Progress(string activity, string status, int percent)
        {
            var record = new ProgressRecord(_activityId, activity, string.IsNullOrEmpty(status) ? activity : status);
            if (percent >= 100) record.RecordType = ProgressRecordType.Completed;
            else if (percent >= 0) record.PercentComplete = percent;
            _log.Progress(record);
        }
    }
}
