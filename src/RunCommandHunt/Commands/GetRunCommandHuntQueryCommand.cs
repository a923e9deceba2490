using System;
using System.Management.Automation;
using RunCommandHunt.Engine.Kql;

namespace RunCommandHunt.Commands
{
    /// <summary>
    /// <para type="synopsis">Prints the KQL to run in Sentinel for a behaviour: the two seeds verbatim, or the corrected hunt.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "RunCommandHuntQuery")]
    [OutputType(typeof(string))]
    public sealed class GetRunCommandHuntQueryCommand : HuntCmdletBase
    {
        /// <summary>How far back the corrected hunt looks (the analytic rule's query period is one day).</summary>
        [Parameter]
        public TimeSpan Lookback { get; set; } = TimeSpan.FromDays(1);

        /// <summary>The corrected hunt: every linked execution, not only the unique scripts.</summary>
        [Parameter]
        public SwitchParameter AllExecutions { get; set; }

        protected override void EndProcessing()
        {
            if (Lookback <= TimeSpan.Zero)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Lookback must be a positive time span, e.g. 1.00:00:00 for a day."),
                    "RunCommandHuntQueryInvalidLookback", ErrorCategory.InvalidArgument, Lookback));
            switch (Compatibility)
            {
                case CompatibilityMode.HuntingQuery:
                    WriteObject(SeedQueries.HuntingQuery);
                    break;
                case CompatibilityMode.AnalyticRule:
                    WriteObject(SeedQueries.AnalyticRule);
                    break;
                default:
                    WriteObject(CorrectedHuntQuery.Build(Lookback, uniqueOnly: !AllExecutions));
                    break;
            }
        }
    }
}
