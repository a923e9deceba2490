using System;
using System.Collections.Generic;
using System.Management.Automation;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;

namespace RunCommandHunt.Commands
{
    /// <summary>
    /// <para type="synopsis">Gets the Azure VM Run Command operations recorded in AzureActivity.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCommandOperation", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(RunCommandOperation))]
    public sealed class GetRunCommandOperationCommand : LiveHuntCmdletBase
    {
        private const string PathSet = "Path";
        private const string InputSet = "InputObject";

        private readonly List<object> _pipelineRows = new List<object>();
        private long _inputRead, _inputRejected;

        /// <summary>AzureActivity evidence: files, folders or wildcards.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>AzureActivity rows from the pipeline (Import-Csv, ConvertFrom-Json, a query's output).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
        public PSObject? InputObject { get; set; }

        /// <summary>The Log Analytics (Sentinel) workspace to query AzureActivity in, between -StartTime and -EndTime.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiveSet)]
        public Guid WorkspaceId { get; set; }

        /// <summary>Also emit operations that did not succeed (Failed, Rejected, InProgress): an attacker probing.</summary>
        [Parameter]
        public SwitchParameter IncludeFailed { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (IncludeFailed && Compatibility != CompatibilityMode.None)
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException("-IncludeFailed cannot be combined with -Compatibility: the seeds keep succeeded operations only."),
                    "RunCommandOperationIncludeFailedWithCompatibility", ErrorCategory.InvalidArgument, Compatibility));
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != InputSet || InputObject == null) return;
            _inputRead++;
            var (names, values) = PipelineObjects.ToRow(InputObject);
            var columns = new ColumnSet(names);
            if (_inputRead == 1)
            {
                var missing = EvidenceRowMapper.MissingColumns(columns, EvidenceTable.AzureActivity);
                if (missing.Count > 0)
                    ThrowTerminatingError(new ErrorRecord(
                        new ArgumentException($"The input objects are not AzureActivity rows: missing {string.Join(", ", missing)}; found {string.Join(", ", names)}."),
                        "RunCommandOperationMissingColumn", ErrorCategory.InvalidData, InputObject));
            }
            if (EvidenceRowMapper.TryMapAzureActivity(columns, values, new RecordOrigin("pipeline", _inputRead), out var record, out var error))
                _pipelineRows.Add(record!);
            else
            {
                _inputRejected++;
                WriteError(ErrorMapping.RowRejected(error!));
            }
        }

        protected override void EndProcessing()
        {
            var log = new EngineLog(Log);
            try
            {
                IEnumerable<RunCommandOperation> operations;
                if (ParameterSetName == LiveSet)
                {
                    var (start, end) = HuntRange();
                    var rows = Connect().LogAnalytics(WorkspaceId).GetAzureActivity(new Engine.Sources.QueryWindow(start, end), CancellationToken);
                    operations = OperationBuilder.Build(rows, Compatibility, IncludeFailed);
                }
                else if (ParameterSetName == PathSet)
                {
                    var reader = new EvidenceReader(log, CancellationToken);
                    var files = reader.Resolve(EvidenceFiles.Absolute(this, Path), EvidenceTable.AzureActivity);
                    // Rows go into their operations as they are read: none is held whole.
                    operations = reader.FoldAzureActivity(files, RelevanceFilters.AzureActivity(Compatibility),
                        new OperationFold(Compatibility, IncludeFailed)).Build();
                }
                else
                {
                    operations = OperationBuilder.Build(Cast(_pipelineRows), Compatibility, IncludeFailed);
                    WriteVerbose($"pipeline: AzureActivity: read {_inputRead}, rejected {_inputRejected}");
                }

                long count = 0;
                foreach (var op in operations)
                {
                    CancellationToken.ThrowIfCancellationRequested();
                    count++;
                    Emit(op);
                }
                FlushLog();
                WriteVerbose($"{count} Run Command operation(s) ({(IncludeFailed ? "all outcomes" : "succeeded")}, behaviour {Compatibility}).");
            }
            catch (Exception ex) when (ErrorMapping.IsHuntFailure(ex))
            {
                FlushLog();
                ThrowTerminatingError(ToErrorRecord(ex, null));
            }
        }

        private static IEnumerable<AzureActivityRecord> Cast(List<object> rows)
        {
            foreach (var r in rows) yield return (AzureActivityRecord)r;
        }
    }
}
