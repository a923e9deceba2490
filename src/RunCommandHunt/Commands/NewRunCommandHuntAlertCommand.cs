using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using RunCommandHunt.Engine.Reporting;

namespace RunCommandHunt.Commands
{
    /// <summary>
    /// <para type="synopsis">Turns findings (unique scripts, failed or rejected attempts) into alerts shaped like Sentinel's SecurityAlert.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "RunCommandHuntAlert", SupportsShouldProcess = true)]
    [OutputType(typeof(RunCommandHuntAlert))]
    public sealed class NewRunCommandHuntAlertCommand : HuntCmdletBase
    {
        private readonly List<UniqueRunCommandScript> _findings = new List<UniqueRunCommandScript>();
        private readonly List<RunCommandOperation> _operations = new List<RunCommandOperation>();

        /// <summary>Findings from Find-UniqueRunCommandScript and/or operations from Get-RunCommandOperation -IncludeFailed
        /// (only Failed and Rejected ones become alerts).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>SingleAlert (the rule's setting: one alert per kind for all rows) or AlertPerResult.</summary>
        [Parameter]
        public AlertAggregationKind AggregationKind { get; set; } = AlertAggregationKind.SingleAlert;

        /// <summary>Severity of unique-script alerts (the rule: Medium).</summary>
        [Parameter]
        [ValidateSet("High", "Medium", "Low", "Informational")]
        public string Severity { get; set; } = "Medium";

        /// <summary>Severity of failed-attempt alerts.</summary>
        [Parameter]
        [ValidateSet("High", "Medium", "Low", "Informational")]
        public string FailedOperationSeverity { get; set; } = "Medium";

        /// <summary>Also write the alerts as JSON Lines to this file (atomically: a killed run leaves the old file whole).</summary>
        [Parameter]
        public string? Path { get; set; }

        /// <summary>With -Path, also emit the alert objects.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            try
            {
                switch (InputObject.BaseObject)
                {
                    case UniqueRunCommandScript u: _findings.Add(u); break;
                    case RunCommandOperation op: _operations.Add(op); break;
                    default:
                        // A hand-made or re-imported object: an operation has Status and no fingerprint.
                        if (InputObject.Properties["ScriptFingerprintHash"] == null && InputObject.Properties["Status"] != null)
                            _operations.Add(PipelineObjects.ToOperation(InputObject));
                        else
                            _findings.Add(PipelineObjects.ToFinding(InputObject));
                        break;
                }
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, "RunCommandHuntAlertInvalidInput", ErrorCategory.InvalidData, InputObject));
            }
        }

        protected override void EndProcessing()
        {
            var options = new AlertOptions
            {
                AggregationKind = AggregationKind,
                Severity = Severity,
                FailedOperationSeverity = FailedOperationSeverity,
            };
            var alerts = AlertBuilder.Build(_findings, _operations, options);
            WriteVerbose($"{alerts.Count} alert(s) from {_findings.Count} finding(s) and {_operations.Count} operation(s).");
            if (!string.IsNullOrEmpty(Path))
            {
                var target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
                if (ShouldProcess(target, $"Write {alerts.Count} alert(s) as JSON Lines"))
                {
                    try
                    {
                        AlertJsonLines.Write(target, alerts);
                    }
                    catch (Exception ex) when (ex is ReportWriteException || ex is IOException || ex is UnauthorizedAccessException)
                    {
                        ThrowTerminatingError(new ErrorRecord(ex, "RunCommandHuntAlertWriteFailed", ErrorCategory.WriteError, target));
                    }
                }
                if (!PassThru) return;
            }
            foreach (var a in alerts) Emit(a);
        }
    }
}
