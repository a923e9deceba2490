using System;
using System.Collections.Generic;

namespace RunCommandHunt
{
    /// <summary>How findings become alerts: Sentinel's eventGroupingSettings.aggregationKind.</summary>
    public enum AlertAggregationKind
    {
        /// <summary>One alert per rule run carrying every result row (the service default, and the rule's).</summary>
        SingleAlert = 0,
        /// <summary>One alert per result row.</summary>
        AlertPerResult = 1,
    }

    /// <summary>Which finding an alert reports.</summary>
    public enum RunCommandHuntAlertKind
    {
        /// <summary>Analytic rule 5239248b: a script whose fingerprint is rare.</summary>
        UniqueScript = 0,
        /// <summary>A Run Command operation that failed or was rejected; the seeds keep only successes and drop it.</summary>
        FailedOperation = 1,
    }

    /// <summary>
    /// A finding shaped like the SecurityAlert row a Sentinel scheduled rule writes, so playbooks, msticpy and
    /// SIEM imports read it with the names they know.
    /// </summary>
    public sealed class RunCommandHuntAlert
    {
        public string AlertName { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string AlertSeverity { get; set; } = "Medium";
        public string Description { get; set; } = "";
        /// <summary>Earliest result timestamp (UTC).</summary>
        public DateTime StartTime { get; set; }
        /// <summary>Latest result timestamp (UTC).</summary>
        public DateTime EndTime { get; set; }
        /// <summary>When the alert was produced (UTC).</summary>
        public DateTime TimeGenerated { get; set; }
        /// <summary>Name-based GUID of the rule and the result rows: the same findings give the same id on a re-run.</summary>
        public string SystemAlertId { get; set; } = "";
        public string ProductName { get; set; } = "Azure Sentinel";
        public string ProductComponentName { get; set; } = "Scheduled Alerts";
        public string ProviderName { get; set; } = "ASI Scheduled Alerts";
        public string VendorName { get; set; } = "Microsoft";
        public string Status { get; set; } = "New";
        /// <summary>The machine the alert is about when every row names the same one; "" otherwise.</summary>
        public string CompromisedEntity { get; set; } = "";
        public string[] Tactics { get; set; } = Array.Empty<string>();
        public string[] Techniques { get; set; } = Array.Empty<string>();
        public RunCommandHuntAlertEntity[] Entities { get; set; } = Array.Empty<RunCommandHuntAlertEntity>();
        /// <summary>Sentinel's ExtendedProperties: every value a string, keys as Sentinel spells them.</summary>
        public IDictionary<string, string> ExtendedProperties { get; set; } = new Dictionary<string, string>();
        public AlertAggregationKind AggregationKind { get; set; }
        public RunCommandHuntAlertKind Kind { get; set; }
        /// <summary>The result rows of a <see cref="RunCommandHuntAlertKind.UniqueScript"/> alert.</summary>
        public UniqueRunCommandScript[] UniqueScripts { get; set; } = Array.Empty<UniqueRunCommandScript>();
        /// <summary>The result rows of a <see cref="RunCommandHuntAlertKind.FailedOperation"/> alert.</summary>
        public RunCommandOperation[] FailedOperations { get; set; } = Array.Empty<RunCommandOperation>();

        /// <summary>Number of result rows this alert carries.</summary>
        public int ResultCount => (UniqueScripts?.Length ?? 0) + (FailedOperations?.Length ?? 0);

        public override string ToString() => $"{StartTime:o} {AlertSeverity} {AlertName} ({ResultCount})";
    }

    /// <summary>
    /// One entity of an alert, as Sentinel's Entities JSON holds it: <see cref="Id"/> is "$id", <see cref="Type"/> is
    /// account, ip, host or azure-resource, and only the identifiers the type uses are set (null otherwise).
    /// </summary>
    public sealed class RunCommandHuntAlertEntity
    {
        /// <summary>"$id": unique within the alert.</summary>
        public string Id { get; set; } = "";
        public string Type { get; set; } = "";
        // account
        public string? FullName { get; set; }
        public string? Name { get; set; }
        public string? UPNSuffix { get; set; }
        public string? AadUserId { get; set; }
        // ip
        public string? Address { get; set; }
        // host
        public string? HostName { get; set; }
        public string? AzureID { get; set; }
        // azure-resource
        public string? ResourceId { get; set; }

        public override string ToString() => Type + ": " + (FullName ?? Name ?? AadUserId ?? Address ?? HostName ?? ResourceId ?? "");
    }
}
