using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using RunCommandHunt.Engine.Reporting;

namespace RunCommandHunt.Commands
{
    /// <summary>
    /// <para type="synopsis">Writes a self-contained HTML report: a timeline per VM of operations and script runs, with the findings highlighted.</para>
    /// </summary>
    [Cmdlet(VerbsData.Export, "RunCommandHuntReport", SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportRunCommandHuntReportCommand : HuntCmdletBase
    {
        private readonly List<RunCommandOperation> _operations = new List<RunCommandOperation>();
        private readonly List<RunCommandScriptExecution> _executions = new List<RunCommandScriptExecution>();
        private readonly List<UniqueRunCommandScript> _findings = new List<UniqueRunCommandScript>();

        /// <summary>The HTML file to write (replaced atomically).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>Operations, script executions and findings, in any mix (typically the hunt's objects gathered with -PipelineVariable or arrays).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>The report's title.</summary>
        [Parameter]
        public string Title { get; set; } = "RunCommandHunt report";

        protected override void ProcessRecord()
        {
            switch (InputObject?.BaseObject)
            {
                case null: return;
                case RunCommandOperation op: _operations.Add(op); break;
                case RunCommandScriptExecution x: _executions.Add(x); break;
                case UniqueRunCommandScript u: _findings.Add(u); break;
                default:
                    WriteError(new ErrorRecord(new ArgumentException(
                        $"Export-RunCommandHuntReport takes RunCommandOperation, RunCommandScriptExecution and UniqueRunCommandScript objects, not {InputObject.BaseObject.GetType().FullName}."),
                        "RunCommandHuntReportInvalidInput", ErrorCategory.InvalidType, InputObject));
                    break;
            }
        }

        protected override void EndProcessing()
        {
            var target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (!ShouldProcess(target, $"Write an HTML report of {_operations.Count} operation(s), {_executions.Count} execution(s), {_findings.Count} finding(s)"))
                return;
            try
            {
                HtmlReport.Write(target, new HtmlReportInput
                {
                    Title = Title,
                    Operations = _operations,
                    Executions = _executions,
                    Findings = _findings,
                    GeneratedAt = DateTime.UtcNow,
                });
            }
            catch (Exception ex) when (ex is ReportWriteException || ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "RunCommandHuntReportWriteFailed", ErrorCategory.WriteError, target));
            }
            WriteObject(new FileInfo(target));
        }
    }
}
