using System;

namespace RunCommandHunt.Engine.Reporting
{
    /// <summary>How <see cref="AlertBuilder"/> shapes alerts. Defaults are analytic rule 5239248b's.</summary>
    public sealed class AlertOptions
    {
        /// <summary>SingleAlert (the rule's, by default) or AlertPerResult.</summary>
        public AlertAggregationKind AggregationKind { get; set; } = AlertAggregationKind.SingleAlert;

        /// <summary>Severity of unique-script alerts: High, Medium (the rule's), Low or Informational.</summary>
        public string Severity { get; set; } = "Medium";

        /// <summary>Severity of failed/rejected-attempt alerts (Defender for Cloud rates VM_RunCommandSuspiciousFailure Medium).</summary>
        public string FailedOperationSeverity { get; set; } = "Medium";

        /// <summary>The alerts' TimeGenerated; null = now. Set it for reproducible output.</summary>
        public DateTime? TimeGenerated { get; set; }

        /// <summary>The hunted window, written as "Query Start Time UTC" / "Query End Time UTC" when known.</summary>
        public DateTime? QueryStartTime { get; set; }
        public DateTime? QueryEndTime { get; set; }

        /// <summary>"Query Period": the rule's P1D unless the run looked back further.</summary>
        public TimeSpan QueryPeriod { get; set; } = TimeSpan.FromDays(1);

        /// <summary>Add an azure-resource entity (ResourceId = Scope). The rule does not map it; Sentinel's
        /// entity reference makes ResourceId the resource's strong identifier.</summary>
        public bool IncludeAzureResourceEntity { get; set; } = true;
    }
}
