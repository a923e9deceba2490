using System;
using System.Collections.Generic;
using System.Management.Automation;
using RunCommandHunt.Engine.Fingerprinting;

namespace RunCommandHunt.Commands
{
    /// <summary>
    /// <para type="synopsis">Finds Run Command scripts whose fingerprint is rare among the executions received.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Find, "UniqueRunCommandScript")]
    [OutputType(typeof(UniqueRunCommandScript))]
    public sealed class FindUniqueRunCommandScriptCommand : HuntCmdletBase
    {
        private readonly List<RunCommandScriptExecution> _executions = new List<RunCommandScriptExecution>();

        /// <summary>Script executions (from Get-RunCommandScriptExecution, or any object with its property names).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>Commands (Sentinel's hash) or CommandsAndSize (what the rule's description promises).</summary>
        [Parameter]
        public FingerprintKind Fingerprint { get; set; } = FingerprintKind.Commands;

        /// <summary>Emit fingerprints seen at most this many times (the rule: 1).</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long MaximumCount { get; set; } = 1;

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
            long count = 0;
            foreach (var u in UniqueScriptFinder.Find(_executions, Compatibility, Fingerprint, MaximumCount))
            {
                if (CancellationToken.IsCancellationRequested) break;
                count++;
                Emit(u);
            }
            WriteVerbose($"{_executions.Count} execution(s) fingerprinted ({Fingerprint}, behaviour {Compatibility}); {count} with a fingerprint seen at most {MaximumCount} time(s).");
        }
    }
}
