using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Fingerprinting;
using RunCommandHunt.Engine.Kql;

namespace RunCommandHunt.Engine.Reporting
{
    /// <summary>
    /// Findings -> alerts shaped like the SecurityAlert rows analytic rule 5239248b (template 1.0.8) raises:
    /// its name, severity, tactics, techniques and entity mappings (ecosystem.md §4). Failed and rejected attempts,
    /// which the rule drops, become alerts of their own kind.
    /// </summary>
    public static class AlertBuilder
    {
        public const string UniqueScriptAlertName = "Azure VM Run Command operations executing a unique PowerShell script";

        /// <summary>The rule's description, without the YAML quote marks the ARM template carries along.</summary>
        public const string UniqueScriptDescription =
            "Identifies when Azure Run command is used to execute a PowerShell script on a VM that is unique.\n" +
            "The uniqueness of the PowerShell script is determined by taking a combined hash of the cmdLets it imports and the file size of the PowerShell script. " +
            "Alerts from this detection indicate a unique PowerShell was executed in your environment.";

        public const string FailedOperationAlertName = "Azure VM Run Command attempt failed or was rejected";

        public const string FailedOperationDescription =
            "Identifies Azure Run Command operations that failed or were rejected. The Sentinel queries keep only " +
            "successful operations; failed attempts can be an attacker probing permissions or a blocked execution " +
            "(compare Defender for Cloud's VM_RunCommandSuspiciousFailure).";

        /// <summary>What the failed-attempt alerts select, in KQL, for the "Query" property. The engine takes the last
        /// terminal status in both vocabularies (OperationBuilder.OutcomeOf); arg_max is the nearest one-line KQL.</summary>
        public const string FailedOperationQuery =
            "AzureActivity\n" +
            "| where OperationNameValue in~ (\"Microsoft.Compute/virtualMachines/runCommand/action\", \"Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommand/action\", " +
            "\"Microsoft.Compute/virtualMachines/runCommands/write\", \"Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommands/write\", \"Microsoft.HybridCompute/machines/runCommands/write\")\n" +
            "| summarize arg_max(TimeGenerated, ActivityStatusValue), StartTime=min(TimeGenerated), EndTime=max(TimeGenerated), take_any(Caller, CallerIpAddress, Authorization) by CorrelationId\n" +
            "| where ActivityStatusValue in~ (\"Failed\", \"Failure\", \"Rejected\", \"Reject\")\n";

        public static readonly IReadOnlyList<string> Tactics = new[] { "LateralMovement", "Execution" };
        /// <summary>The rule's T1570 and T1059.001, plus T1651 Cloud Administration Command, which Run Command is.</summary>
        public static readonly IReadOnlyList<string> UniqueScriptTechniques = new[] { "T1570", "T1059.001", "T1651" };
        /// <summary>No script ran, so only the cloud administration command itself is evidenced.</summary>
        public static readonly IReadOnlyList<string> FailedOperationTechniques = new[] { "T1651" };

        private static readonly string[] Severities = { "High", "Medium", "Low", "Informational" };

        // Namespace of the name-based SystemAlertIds: the rule's own id. Declared before its users (textual init order).
        private static readonly Guid AlertIdNamespace = new Guid(SeedQueries.AnalyticRuleId);

        /// <summary>Id of the failed-attempt "rule": not a Sentinel rule, so not 5239248b; name-based, so it never changes.</summary>
        public static readonly string FailedOperationRuleId =
            NameBasedGuid.Create(AlertIdNamespace, "RunCommandHunt: failed or rejected Run Command attempts").ToString("D");

        /// <summary>Alerts for both kinds of finding: unique scripts first, then failed attempts.</summary>
        public static IReadOnlyList<RunCommandHuntAlert> Build(
            IEnumerable<UniqueRunCommandScript>? findings,
            IEnumerable<RunCommandOperation>? operations,
            AlertOptions? options = null)
        {
            var result = new List<RunCommandHuntAlert>();
            if (findings != null) result.AddRange(FromUniqueScripts(findings, options));
            if (operations != null) result.AddRange(FromFailedOperations(operations, options));
            return result;
        }

        /// <summary>Alerts for the rule's result rows. No rows, no alert (trigger: count greater than 0).</summary>
        public static IReadOnlyList<RunCommandHuntAlert> FromUniqueScripts(IEnumerable<UniqueRunCommandScript> findings, AlertOptions? options = null)
        {
            if (findings == null) throw new ArgumentNullException(nameof(findings));
            var o = options ?? new AlertOptions();
            var severity = CanonicalSeverity(o.Severity, nameof(AlertOptions.Severity));
            var generated = ReportDates.Utc(o.TimeGenerated ?? DateTime.UtcNow);
            // The rule's final order is undefined (a join comes last); a stable order makes the output diffable.
            var rows = findings.Where(f => f != null)
                .OrderBy(f => ReportDates.Utc(f.timestamp)).ThenBy(RowKey, StringComparer.Ordinal).ToArray();
            if (rows.Length == 0) return Array.Empty<RunCommandHuntAlert>();

            var groups = o.AggregationKind == AlertAggregationKind.AlertPerResult
                ? rows.Select(r => new[] { r })
                : new[] { rows };
            var alerts = new List<RunCommandHuntAlert>();
            foreach (var g in groups)
            {
                var alert = NewAlert(RunCommandHuntAlertKind.UniqueScript, o, severity, generated);
                alert.AlertName = alert.DisplayName = UniqueScriptAlertName;
                alert.Description = UniqueScriptDescription;
                alert.Techniques = UniqueScriptTechniques.ToArray();
                alert.UniqueScripts = g;
                alert.StartTime = g.Min(r => ReportDates.Utc(r.timestamp));
                alert.EndTime = g.Max(r => ReportDates.Utc(r.timestamp));
                alert.CompromisedEntity = SameMachine(g.Select(r => r.VirtualMachineName));
                alert.SystemAlertId = AlertId(alert, g.Select(RowKey));

                var entities = new EntitySet(o.IncludeAzureResourceEntity);
                foreach (var r in g)
                    entities.AddRow(r.Caller, r.CallerName, r.CallerUPNSuffix, r.CallerIpAddress, r.VirtualMachineName, r.Scope);
                alert.Entities = entities.ToArray();

                var p = CommonProperties(o, SeedQueries.AnalyticRule, SeedQueries.AnalyticRuleId, UniqueScriptAlertName,
                    new[] { "AzureActivity", "DeviceFileEvents", "DeviceEvents" }, rows.Length);
                p["Analytic Rule Template Version"] = SeedQueries.AnalyticRuleTemplateVersion;
                p["Compatibility Mode"] = Distinct(g.Select(r => r.Compatibility.ToString()));
                p["Fingerprint Kind"] = Distinct(g.Select(r => r.Fingerprint.ToString()));
                alert.ExtendedProperties = p;
                alerts.Add(alert);
            }
            return alerts;
        }

        /// <summary>True for the outcomes the failed-attempt alerts report: Failed and Rejected.</summary>
        public static bool IsFailedAttempt(RunCommandOperation operation) =>
            operation != null && (string.Equals(operation.Status, "Failed", StringComparison.OrdinalIgnoreCase)
                || string.Equals(operation.Status, "Rejected", StringComparison.OrdinalIgnoreCase));

        /// <summary>Alerts for the failed and rejected operations among <paramref name="operations"/>; succeeded and
        /// in-progress operations are not findings and are passed over.</summary>
        public static IReadOnlyList<RunCommandHuntAlert> FromFailedOperations(IEnumerable<RunCommandOperation> operations, AlertOptions? options = null)
        {
            if (operations == null) throw new ArgumentNullException(nameof(operations));
            var o = options ?? new AlertOptions();
            var severity = CanonicalSeverity(o.FailedOperationSeverity, nameof(AlertOptions.FailedOperationSeverity));
            var generated = ReportDates.Utc(o.TimeGenerated ?? DateTime.UtcNow);
            var rows = operations.Where(IsFailedAttempt)
                .OrderBy(x => ReportDates.Utc(x.StartTime)).ThenBy(RowKey, StringComparer.Ordinal).ToArray();
            if (rows.Length == 0) return Array.Empty<RunCommandHuntAlert>();

            var groups = o.AggregationKind == AlertAggregationKind.AlertPerResult
                ? rows.Select(r => new[] { r })
                : new[] { rows };
            var alerts = new List<RunCommandHuntAlert>();
            foreach (var g in groups)
            {
                var alert = NewAlert(RunCommandHuntAlertKind.FailedOperation, o, severity, generated);
                alert.AlertName = alert.DisplayName = FailedOperationAlertName;
                alert.Description = FailedOperationDescription;
                alert.Techniques = FailedOperationTechniques.ToArray();
                alert.FailedOperations = g;
                alert.StartTime = g.Min(r => ReportDates.Utc(r.StartTime));
                alert.EndTime = g.Max(r => ReportDates.Utc(r.StartTime));
                alert.CompromisedEntity = SameMachine(g.Select(r => r.VirtualMachineName));
                alert.SystemAlertId = AlertId(alert, g.Select(RowKey));

                var entities = new EntitySet(o.IncludeAzureResourceEntity);
                foreach (var r in g)
                    entities.AddRow(r.Caller, KustoSemantics.SplitAt(r.Caller, '@', 0), KustoSemantics.SplitAt(r.Caller, '@', 1),
                        r.CallerIpAddress, r.VirtualMachineName, r.Scope);
                alert.Entities = entities.ToArray();

                alert.ExtendedProperties = CommonProperties(o, FailedOperationQuery, FailedOperationRuleId, FailedOperationAlertName,
                    new[] { "AzureActivity" }, rows.Length);
                alert.ExtendedProperties["Compatibility Mode"] = Distinct(g.Select(r => r.Compatibility.ToString()));
                alerts.Add(alert);
            }
            return alerts;
        }

        private static RunCommandHuntAlert NewAlert(RunCommandHuntAlertKind kind, AlertOptions o, string severity, DateTime generated) =>
            new RunCommandHuntAlert
            {
                Kind = kind,
                AggregationKind = o.AggregationKind,
                AlertSeverity = severity,
                TimeGenerated = generated,
                Tactics = Tactics.ToArray(),
            };

        private static IDictionary<string, string> CommonProperties(AlertOptions o, string query, string ruleId, string ruleName,
            string[] dataSources, int overallCount)
        {
            // Every value a string, as in SecurityAlert.ExtendedProperties; list values are JSON text, as Sentinel writes them.
            var p = new Dictionary<string, string>
            {
                ["Query"] = query,
                ["Query Period"] = o.QueryPeriod.ToString("c", CultureInfo.InvariantCulture),
            };
            if (o.QueryStartTime.HasValue) p["Query Start Time UTC"] = ReportDates.Format(o.QueryStartTime.Value);
            if (o.QueryEndTime.HasValue) p["Query End Time UTC"] = ReportDates.Format(o.QueryEndTime.Value);
            p["Trigger Operator"] = "GreaterThan";
            p["Trigger Threshold"] = "0";
            p["Analytic Rule Ids"] = KustoJson.StringArray(new[] { ruleId });
            p["Analytic Rule Name"] = ruleName;
            p["Data Sources"] = KustoJson.StringArray(dataSources);
            p["Query Results Aggregation Kind"] = o.AggregationKind.ToString();
            p["Event Grouping"] = o.AggregationKind.ToString();
            // The whole query's row count, in every alert of the run (as Sentinel does for AlertPerResult).
            p["Search Query Results Overall Count"] = overallCount.ToString(CultureInfo.InvariantCulture);
            return p;
        }

        private static string AlertId(RunCommandHuntAlert alert, IEnumerable<string> rowKeys)
        {
            var name = new StringBuilder();
            name.Append(alert.Kind).Append('|').Append(alert.AggregationKind);
            foreach (var k in rowKeys.OrderBy(k => k, StringComparer.Ordinal)) name.Append('\n').Append(k);
            return NameBasedGuid.Create(AlertIdNamespace, name.ToString()).ToString("D");
        }

        /// <summary>What identifies a result row: the columns that tell two executions apart.</summary>
        internal static string RowKey(UniqueRunCommandScript r) => string.Join("|",
            r.CorrelationId, r.VirtualMachineName, r.Scope, r.PowershellFileName, r.DeviceName, r.Caller,
            Ticks(r.StartTime), Ticks(r.PowershellFileCreatedTimestamp), Ticks(r.PowershellExecStart), r.ScriptFingerprintHash);

        internal static string RowKey(RunCommandOperation r) => string.Join("|",
            r.CorrelationId, r.Scope, r.VirtualMachineName, r.Caller, r.Status, Ticks(r.StartTime), Ticks(r.EndTime));

        private static string Ticks(DateTime d) => ReportDates.Utc(d).Ticks.ToString(CultureInfo.InvariantCulture);

        private static string SameMachine(IEnumerable<string> names)
        {
            var distinct = names.Where(n => !string.IsNullOrEmpty(n)).Distinct(StringComparer.OrdinalIgnoreCase).Take(2).ToArray();
            return distinct.Length == 1 ? distinct[0] : "";
        }

        private static string Distinct(IEnumerable<string> values) => string.Join(",", values.Distinct(StringComparer.Ordinal));

        private static string CanonicalSeverity(string value, string name)
        {
            foreach (var s in Severities)
                if (string.Equals(s, value?.Trim(), StringComparison.OrdinalIgnoreCase)) return s;
            throw new ArgumentException($"{name} '{value}' is not a Sentinel severity; use High, Medium, Low or Informational.", name);
        }

        /// <summary>The entities of one alert, built from the rule's mappings, each distinct entity once.</summary>
        private sealed class EntitySet
        {
            private readonly bool _azureResource;
            private readonly List<RunCommandHuntAlertEntity> _list = new List<RunCommandHuntAlertEntity>();
            private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.Ordinal);

            public EntitySet(bool azureResource) { _azureResource = azureResource; }

            public void AddRow(string caller, string callerName, string upnSuffix, string ip, string vm, string scope)
            {
                // Account: FullName <- Caller, Name <- CallerName, UPNSuffix <- CallerUPNSuffix. A service principal
                // calls as its object id: then the GUID is also the strong identifier AadUserId.
                if (!string.IsNullOrEmpty(caller))
                {
                    var isGuid = Guid.TryParseExact(caller, "D", out _);
                    Add(new RunCommandHuntAlertEntity
                    {
                        Type = "account",
                        FullName = caller,
                        Name = NullIfEmpty(callerName),
                        UPNSuffix = NullIfEmpty(upnSuffix),
                        AadUserId = isGuid ? caller.ToLowerInvariant() : null,
                    });
                }
                if (!string.IsNullOrEmpty(ip))
                    Add(new RunCommandHuntAlertEntity { Type = "ip", Address = ip });
                if (!string.IsNullOrEmpty(vm) || !string.IsNullOrEmpty(scope))
                    Add(new RunCommandHuntAlertEntity { Type = "host", HostName = NullIfEmpty(vm), AzureID = NullIfEmpty(scope) });
                if (_azureResource && !string.IsNullOrEmpty(scope))
                    Add(new RunCommandHuntAlertEntity { Type = "azure-resource", ResourceId = scope });
            }

            private void Add(RunCommandHuntAlertEntity e)
            {
                // ARM ids and host names are case-insensitive; account names and IPs compare as written.
                var key = string.Join("\u0001", e.Type, e.FullName, e.Name, e.UPNSuffix, e.AadUserId, e.Address,
                    e.HostName?.ToUpperInvariant(), e.AzureID?.ToUpperInvariant(), e.ResourceId?.ToUpperInvariant());
                if (!_seen.Add(key)) return;
                e.Id = (_list.Count + 1).ToString(CultureInfo.InvariantCulture);
                _list.Add(e);
            }

            public RunCommandHuntAlertEntity[] ToArray() => _list.ToArray();

            private static string? NullIfEmpty(string s) => string.IsNullOrEmpty(s) ? null : s;
        }
    }
}
