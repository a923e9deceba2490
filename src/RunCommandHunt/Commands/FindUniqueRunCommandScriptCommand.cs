using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCommandHunt.Engine.Baseline;
using RunCommandHunt.Engine.Fingerprinting;

namespace RunCommandHunt.Commands
{
    /// <summary>
    /// <para type="synopsis">Finds Run Command scripts whose fingerprint is rare among the executions received, or never seen in a baseline.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Find, "UniqueRunCommandScript", SupportsShouldProcess = true, DefaultParameterSetName = WindowSet)]
    [OutputType(typeof(UniqueRunCommandScript))]
    public sealed class FindUniqueRunCommandScriptCommand : LiveHuntCmdletBase
    {
        private const string WindowSet = "Window";
        private const string BaselineSet = "Baseline";

        private readonly List<RunCommandScriptExecution> _executions = new List<RunCommandScriptExecution>();

        /// <summary>Script executions (from Get-RunCommandScriptExecution, or any object with its property names).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = WindowSet)]
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = BaselineSet)]
        public PSObject? InputObject { get; set; }

        /// <summary>Run the whole hunt as one query in this Log Analytics workspace (the analytic rule as written with
        /// -Compatibility AnalyticRule, else the corrected hunt) and return only the findings: for tenant scale.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiveSet)]
        public Guid WorkspaceId { get; set; }

        /// <summary>Commands (Sentinel's hash) or CommandsAndSize (what the rule's description promises).</summary>
        [Parameter]
        public FingerprintKind Fingerprint { get; set; } = FingerprintKind.Commands;

        /// <summary>Emit fingerprints seen at most this many times (the rule: 1).</summary>
        [Parameter(ParameterSetName = WindowSet)]
        [ValidateRange(1, long.MaxValue)]
        public long MaximumCount { get; set; } = 1;

        /// <summary>A first-seen baseline file: emit scripts whose fingerprint the baseline has never seen, one row per
        /// new fingerprint, whatever their count in this window. A missing file is an empty baseline.</summary>
        [Parameter(Mandatory = true, ParameterSetName = BaselineSet)]
        [ValidateNotNullOrEmpty]
        public string? BaselinePath { get; set; }

        /// <summary>Record this run's fingerprints in the baseline (atomically, under a lock), so the next run reports
        /// only what is new after this one. Without it the baseline is only read.</summary>
        [Parameter(ParameterSetName = BaselineSet)]
        public SwitchParameter UpdateBaseline { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            try
            {
                _executions.Add(PipelineObjects.ToExecution(InputObject));
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, "UniqueRunCommandScriptInvalidExecution", ErrorCategory.InvalidData, InputObject));
            }
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName == LiveSet)
            {
                FindOnServer();
                return;
            }
            if (ParameterSetName == BaselineSet)
            {
                FindNewToBaseline();
                return;
            }
            long count = 0;
            foreach (var u in UniqueScriptFinder.Find(_executions, Compatibility, Fingerprint, MaximumCount))
            {
                if (CancellationToken.IsCancellationRequested) break;
                count++;
                Emit(u);
            }
            WriteVerbose($"{_executions.Count} execution(s) fingerprinted ({Fingerprint}, behaviour {Compatibility}); {count} with a fingerprint seen at most {MaximumCount} time(s).");
        }

        private void FindOnServer()
        {
            if (Compatibility == CompatibilityMode.HuntingQuery)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    "The hunting query has no uniqueness step: use Get-RunCommandScriptExecution -WorkspaceId ... -ServerSide -Compatibility HuntingQuery."),
                    "UniqueRunCommandScriptServerSideHuntingQuery", ErrorCategory.InvalidArgument, Compatibility));
            try
            {
                var (start, end) = HuntRange();
                var result = Connect().LogAnalytics(WorkspaceId).RunHunt(Compatibility, new Engine.Sources.QueryWindow(start, end), uniqueOnly: true, CancellationToken);
                long count = 0;
                foreach (var u in Engine.Sources.HuntResultMapper.ToUniqueScripts(result, Compatibility))
                {
                    count++;
                    Emit(u);
                }
                WriteVerbose($"Server-side hunt ({Compatibility}): {count} finding(s).");
            }
            catch (Exception ex) when (ErrorMapping.IsHuntFailure(ex))
            {
                FlushLog();
                ThrowTerminatingError(ToErrorRecord(ex, WorkspaceId));
            }
        }

        private void FindNewToBaseline()
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(BaselinePath);
            IReadOnlyList<BaselineClassification> classes;
            try
            {
                if (UpdateBaseline && ShouldProcess(path, $"Record {_executions.Count} script execution(s) in the baseline"))
                {
                    var result = BaselineFile.Update(path, _executions, new BaselineUpdateOptions { Fingerprint = Fingerprint }, CancellationToken);
                    classes = result.Classifications;
                    WriteVerbose($"{path}: baseline updated, {result.NewScripts} new fingerprint(s), {result.Baseline.Entries.Count} in all.");
                }
                else
                {
                    classes = BaselineFile.Load(path, Fingerprint).Classify(_executions);
                }
            }
            catch (BaselineException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "Baseline" + ex.Reason, ErrorCategory.InvalidData, path));
                return;
            }

            // Window statistics for every execution (HashCount, Prevalence), then the first execution of each new fingerprint.
            var rows = UniqueScriptFinder.Find(_executions, Compatibility, Fingerprint, long.MaxValue).ToList();
            var byExecution = new Dictionary<RunCommandScriptExecution, BaselineClassification>();
            foreach (var c in classes)
                if (c.Execution != null) byExecution[c.Execution] = c;
            var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            long count = 0;
            for (int i = 0; i < rows.Count; i++)
            {
                // rows[i] is the window row of _executions[i] (no count filter applies at long.MaxValue).
                if (!byExecution.TryGetValue(_executions[i], out var c) || !c.IsNew || !reported.Add(c.ScriptFingerprintHash)) continue;
                count++;
                Emit(rows[i]);
            }
            WriteVerbose($"{_executions.Count} execution(s); {count} script(s) never seen before in the baseline {path}.");
        }
    }
}
