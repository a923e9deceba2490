using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;

namespace RunCommandHunt.Commands
{
    /// <summary>
    /// <para type="synopsis">Links Run Command operations to the scripts they wrote on the VM and the cmdlets those scripts ran.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCommandScriptExecution", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(RunCommandScriptExecution))]
    public sealed class GetRunCommandScriptExecutionCommand : LiveHuntCmdletBase
    {
        private const string PathSet = "Path";

        private readonly List<RunCommandOperation> _operations = new List<RunCommandOperation>();
        private object? _evidence; // Task<DeviceEvidence>: typed object so the cmdlet's metadata names no engine type

        /// <summary>DeviceFileEvents and DeviceEvents evidence (and DeviceProcessEvents, read by the default behaviour):
        /// files, folders or wildcards. When no operations are piped in, AzureActivity files found here supply them.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Run Command operations (from Get-RunCommandOperation, or any object with its property names).</summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>A Log Analytics (Sentinel) workspace holding the MDE tables (and AzureActivity when no operations are piped in).</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public Guid? WorkspaceId { get; set; }

        /// <summary>Where the device tables come from: LogAnalytics (-WorkspaceId) or DefenderXdr (advanced hunting through Microsoft Graph).</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public DeviceEvidenceSource Source { get; set; } = DeviceEvidenceSource.LogAnalytics;

        /// <summary>Run the whole hunt as one query in the workspace (the hunting query as written with -Compatibility
        /// HuntingQuery, else the corrected hunt) and return its rows: for tenant scale. Needs -WorkspaceId.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public SwitchParameter ServerSide { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (ParameterSetName == LiveSet)
            {
                if (Source == DeviceEvidenceSource.LogAnalytics && WorkspaceId == null)
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException("-WorkspaceId is required when -Source is LogAnalytics."),
                        "RunCommandScriptExecutionWorkspaceRequired", ErrorCategory.InvalidArgument, null));
                return; // live evidence is fetched for the operations' machines once they are all in
            }
            // The device tables do not depend on the operations: read them now, on worker threads, while the upstream
            // stage is still reading AzureActivity.
            try
            {
                _evidence = StartReading(new EngineLog(Log), EvidenceFiles.Absolute(this, Path));
            }
            catch (Exception ex) when (ex is EvidenceException)
            {
                ThrowTerminatingError(ToErrorRecord(ex, Path));
            }
        }

        protected override void ProcessRecord()
        {
            FlushLog();
            if (InputObject == null) return;
            try
            {
                _operations.Add(ScriptExecutionCorrelator.ForLinking(PipelineObjects.ToOperation(InputObject)));
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, "RunCommandScriptExecutionInvalidOperation", ErrorCategory.InvalidData, InputObject));
            }
        }

        protected override void EndProcessing()
        {
            var mode = Compatibility;
            if (ParameterSetName == LiveSet)
            {
                EndLive(mode);
                return;
            }
            try
            {
                // The upstream stage is done: its AzureActivity fold and its operations in full (Authorization texts
                // above all, ~2 KB an operation) have just gone, while the device tables are still being read.
                if (_operations.Count * 2048L >= LargeRelease) CollectAtBoundary();
                var evidence = Await((Task<DeviceEvidence>)_evidence!);
                // The readers are done: their buffers, string pools, parts and the rows they mapped (~1 KB a kept row)
                // are garbage, and the correlation is about to build its own structures.
                if ((evidence.FileEvents.Count + evidence.DeviceEvents.Count + evidence.ProcessEvents.Count) * 1024L >= LargeRelease) CollectAtBoundary();
                IReadOnlyList<RunCommandOperation> operations = _operations;
                if (_operations.Count == 0 && !MyInvocation.ExpectingInput && evidence.ActivityFiles.Count > 0)
                {
                    WriteVerbose("No operations piped in: reading them from the AzureActivity evidence in -Path.");
                    var reader = new EvidenceReader(new EngineLog(Log), CancellationToken);
                    operations = reader.FoldAzureActivity(evidence.ActivityFiles, RelevanceFilters.AzureActivity(mode), new OperationFold(mode)).Build()
                        .Select(ScriptExecutionCorrelator.ForLinking).ToList();
                }
                else
                {
                    foreach (var f in evidence.ActivityFiles) WriteVerbose($"{f.Path}: AzureActivity, skipped (operations come from the pipeline).");
                }
                FlushLog();
                WriteVerbose($"{operations.Count} operation(s) to link (behaviour {mode}).");

                var linked = ScriptExecutionCorrelator.Correlate(operations, evidence.FileEvents, evidence.DeviceEvents, evidence.ProcessEvents).ToList();
                var read = $"{evidence.FileEvents.Count} Run Command file event(s), {evidence.DeviceEvents.Count} PowerShell event(s) " +
                           $"and {evidence.ProcessEvents.Count} process event(s)";
                // The executions are all this stage hands on. The stage object lives until the pipeline ends, so the
                // evidence and the operations are let go here, before the next stage holds the executions, not then.
                _evidence = null;
                _operations.Clear();
                _operations.TrimExcess();
                evidence = null!;
                operations = null!;
                long count = 0;
                foreach (var x in linked)
                {
                    CancellationToken.ThrowIfCancellationRequested();
                    count++;
                    Emit(x);
                }
                FlushLog();
                WriteVerbose($"{count} script execution(s) linked from {read}.");
            }
            catch (Exception ex) when (ErrorMapping.IsHuntFailure(ex))
            {
                FlushLog();
                ThrowTerminatingError(ToErrorRecord(ex, null));
            }
        }

        private void EndLive(CompatibilityMode mode)
        {
            try
            {
                var (start, end) = HuntRange();
                var window = new Engine.Sources.QueryWindow(start, end);
                var connection = Connect();
                if (ServerSide)
                {
                    if (mode == CompatibilityMode.AnalyticRule || WorkspaceId == null)
                        throw new ArgumentException("-ServerSide runs in a Log Analytics workspace (-WorkspaceId); the analytic rule's server-side result is " +
                            "its unique scripts: use Find-UniqueRunCommandScript -WorkspaceId ... -Compatibility AnalyticRule.");
                    var result = connection.LogAnalytics(WorkspaceId.Value).RunHunt(mode, window, uniqueOnly: false, CancellationToken);
                    long rows = 0;
                    foreach (var x in Engine.Sources.HuntResultMapper.ToExecutions(result, mode))
                    {
                        rows++;
                        Emit(x);
                    }
                    WriteVerbose($"Server-side hunt ({mode}): {rows} execution(s).");
                    return;
                }
                IReadOnlyList<RunCommandOperation> operations = _operations;
                if (_operations.Count == 0 && !MyInvocation.ExpectingInput && WorkspaceId != null)
                {
                    WriteVerbose("No operations piped in: querying AzureActivity in the workspace.");
                    var activity = connection.LogAnalytics(WorkspaceId.Value).GetAzureActivity(window, CancellationToken);
                    operations = OperationBuilder.Build(activity, mode).ToList();
                }
                var source = Source == DeviceEvidenceSource.DefenderXdr ? connection.DefenderXdr() : connection.LogAnalytics(WorkspaceId!.Value);
                WriteVerbose($"{operations.Count} operation(s) to link (behaviour {mode}); device tables from {Source}.");
                var fileEvents = source.GetDeviceFileEvents(operations, CancellationToken)
                    .Where(e => ScriptExecutionCorrelator.IsRelevant(e, mode)).ToList();
                FlushLog();
                var deviceEvents = DeviceEventFold.Of(source.GetDeviceEvents(operations, mode, window, CancellationToken)
                    .Where(e => ScriptExecutionCorrelator.IsRelevant(e, mode)), mode);
                FlushLog();
                long count = 0;
                foreach (var x in ScriptExecutionCorrelator.Correlate(operations, fileEvents, deviceEvents, Array.Empty<DeviceProcessEventRecord>()))
                {
                    CancellationToken.ThrowIfCancellationRequested();
                    count++;
                    Emit(x);
                }
                FlushLog();
                WriteVerbose($"{count} script execution(s) linked from {fileEvents.Count} Run Command file event(s) and {deviceEvents.Count} PowerShell event(s).");
            }
            catch (Exception ex) when (ErrorMapping.IsHuntFailure(ex))
            {
                FlushLog();
                ThrowTerminatingError(ToErrorRecord(ex, null));
            }
        }

        /// <summary>
        /// One full, compacting collection at a boundary of the hunt, where much has just gone and more is about to be
        /// made: left alone, the collector grows the heap into the new work before it reuses the old (the 10 M-row
        /// benchmark peaked ~40 MiB lower with both boundaries; each is one pause of tens of milliseconds, bench/README.md).
        /// </summary>
        private static void CollectAtBoundary() => GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        /// <summary>What must have just gone for <see cref="CollectAtBoundary"/> to pay: on a smaller hunt (samples/, an
        /// interactive look at a few files) the pause would cost more than it gives back.</summary>
        private const long LargeRelease = 32L << 20;

        /// <summary>The device evidence this stage needs, filtered to what the behaviour can use.</summary>
        private sealed class DeviceEvidence
        {
            public List<EvidenceFile> ActivityFiles = new List<EvidenceFile>();
            public List<DeviceFileEventRecord> FileEvents = new List<DeviceFileEventRecord>();
            public DeviceEventFold DeviceEvents = null!;
            public List<DeviceProcessEventRecord> ProcessEvents = new List<DeviceProcessEventRecord>();
        }

        private Task<DeviceEvidence> StartReading(IHuntLog log, List<string> paths)
        {
            var mode = Compatibility;
            var token = CancellationToken;
            var files = new EvidenceReader(log, token).Resolve(paths,
                EvidenceTable.DeviceFileEvents, EvidenceTable.DeviceEvents, EvidenceTable.DeviceProcessEvents, EvidenceTable.AzureActivity);
            var result = new DeviceEvidence { ActivityFiles = files.Where(f => f.Table == EvidenceTable.AzureActivity).ToList() };

            List<EvidenceFile> Of(EvidenceTable t) => files.Where(f => f.Table == t).ToList();
            var fileEventFiles = Of(EvidenceTable.DeviceFileEvents);
            var deviceEventFiles = Of(EvidenceTable.DeviceEvents);
            var processFiles = Of(EvidenceTable.DeviceProcessEvents);
            if (fileEventFiles.Count == 0)
                log.Warning("No DeviceFileEvents evidence found in -Path: no script can be linked.");
            if (deviceEventFiles.Count == 0 && (mode != CompatibilityMode.None || processFiles.Count == 0))
                log.Warning("No DeviceEvents evidence found in -Path: no PowerShell command can be linked.");
            if (mode != CompatibilityMode.None)
            {
                // The seeds never read DeviceProcessEvents; the default does (Linux scripts and their child processes).
                foreach (var f in processFiles) log.Verbose($"{f.Path}: DeviceProcessEvents, skipped (the seeds do not read it).");
                processFiles.Clear();
            }

            var fileTask = Task.Run(() =>
            {
                result.FileEvents = new EvidenceReader(log, token).ReadDeviceFileEvents(fileEventFiles, RelevanceFilters.DeviceFileEvents(mode)).ToList();
                FileEventTexts.Share(result.FileEvents);
            }, token);
            // DeviceEvents, the largest table, is folded as it streams: what correlation takes from each row, not the row.
            var eventTask = Task.Run(() => result.DeviceEvents = new EvidenceReader(log, token)
                .FoldDeviceEvents(deviceEventFiles, RelevanceFilters.DeviceEvents(mode), new DeviceEventFold(mode)), token);
            var processTask = Task.Run(() => result.ProcessEvents = new EvidenceReader(log, token)
                .ReadDeviceProcessEvents(processFiles, RelevanceFilters.DeviceProcessEvents(mode)).ToList(), token);
            return Task.WhenAll(fileTask, eventTask, processTask).ContinueWith(t =>
            {
                if (t.IsFaulted) throw t.Exception!.InnerExceptions.First();
                token.ThrowIfCancellationRequested();
                return result;
            }, TaskScheduler.Default);
        }

        /// <summary>Waits for the readers while writing their log from the pipeline thread; Ctrl+C ends the wait at once.</summary>
        private T Await<T>(Task<T> task)
        {
            while (!task.IsCompleted)
            {
                ((IAsyncResult)task).AsyncWaitHandle.WaitOne(50);
                FlushLog();
                CancellationToken.ThrowIfCancellationRequested();
            }
            FlushLog();
            return task.GetAwaiter().GetResult();
        }
    }
}
