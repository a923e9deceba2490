using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Readers;

namespace RunCommandHunt.Commands
{
    /// <summary>
    /// <para type="synopsis">Links Run Command operations to the scripts they wrote on the VM and the cmdlets those scripts ran.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCommandScriptExecution")]
    [OutputType(typeof(RunCommandScriptExecution))]
    public sealed class GetRunCommandScriptExecutionCommand : HuntCmdletBase
    {
        private readonly List<RunCommandOperation> _operations = new List<RunCommandOperation>();

        /// <summary>DeviceFileEvents and DeviceEvents evidence: files, folders or wildcards. When no operations are piped in,
        /// AzureActivity files found here supply them.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Run Command operations (from Get-RunCommandOperation, or any object with its property names).</summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            try
            {
                _operations.Add(PipelineObjects.ToOperation(InputObject));
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, "RunCommandScriptExecutionInvalidOperation", ErrorCategory.InvalidData, InputObject));
            }
        }

        protected override void EndProcessing()
        {
            var log = new EngineLog(Log);
            var mode = Compatibility;
            try
            {
                var reader = new EvidenceReader(log, CancellationToken);
                var files = reader.Resolve(EvidenceFiles.Absolute(this, Path),
                    EvidenceTable.DeviceFileEvents, EvidenceTable.DeviceEvents, EvidenceTable.DeviceProcessEvents, EvidenceTable.AzureActivity);

                IReadOnlyList<RunCommandOperation> operations = _operations;
                var activityFiles = files.Where(f => f.Table == EvidenceTable.AzureActivity).ToList();
                if (_operations.Count == 0 && MyInvocation.ExpectingInput == false && activityFiles.Count > 0)
                {
                    WriteVerbose("No operations piped in: reading them from the AzureActivity evidence in -Path.");
                    operations = OperationBuilder.Build(reader.ReadAzureActivity(activityFiles, r => OperationBuilder.IsRelevant(r, mode)), mode).ToList();
                }
                else if (activityFiles.Count > 0)
                {
                    foreach (var f in activityFiles) WriteVerbose($"{f.Path}: AzureActivity, skipped (operations come from the pipeline).");
                }
                WriteVerbose($"{operations.Count} operation(s) to link (behaviour {mode}).");

                // Both device tables are needed in full before the join; read them side by side.
                var fileEventFiles = files.Where(f => f.Table == EvidenceTable.DeviceFileEvents).ToList();
                var deviceEventFiles = files.Where(f => f.Table == EvidenceTable.DeviceEvents).ToList();
                if (fileEventFiles.Count == 0) WriteWarning("No DeviceFileEvents evidence found in -Path: no script can be linked.");
                if (deviceEventFiles.Count == 0 && (mode != CompatibilityMode.None || !files.Any(f => f.Table == EvidenceTable.DeviceProcessEvents)))
                    WriteWarning("No DeviceEvents evidence found in -Path: no PowerShell command can be linked.");

                var fileEvents = reader.ReadDeviceFileEvents(fileEventFiles, e => ScriptExecutionCorrelator.IsRelevant(e, mode)).ToList();
                FlushLog();
                var deviceEvents = reader.ReadDeviceEvents(deviceEventFiles, e => ScriptExecutionCorrelator.IsRelevant(e, mode)).ToList();
                FlushLog();
                // The seeds never read DeviceProcessEvents; the default does (Linux scripts and their child processes).
                var processFiles = files.Where(f => f.Table == EvidenceTable.DeviceProcessEvents).ToList();
                var processEvents = new List<Engine.Model.DeviceProcessEventRecord>();
                if (mode == CompatibilityMode.None)
                    processEvents = reader.ReadDeviceProcessEvents(processFiles, e => ScriptExecutionCorrelator.IsRelevant(e, mode)).ToList();
                else
                    foreach (var f in processFiles) WriteVerbose($"{f.Path}: DeviceProcessEvents, skipped (the seeds do not read it).");
                FlushLog();

                long count = 0;
                foreach (var x in ScriptExecutionCorrelator.Correlate(operations, fileEvents, deviceEvents, processEvents, mode))
                {
                    CancellationToken.ThrowIfCancellationRequested();
                    count++;
                    Emit(x);
                }
                FlushLog();
                WriteVerbose($"{count} script execution(s) linked from {fileEvents.Count} Run Command file event(s) and {deviceEvents.Count} PowerShell event(s).");
            }
            catch (Exception ex) when (ex is EvidenceException || ex is OperationCanceledException)
            {
                FlushLog();
                ThrowTerminatingError(ToErrorRecord(ex, null));
            }
        }
    }
}
