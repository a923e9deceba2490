using System;
using System.Collections.Generic;
using System.Linq;
using RunCommandHunt.Engine.Fingerprinting;
using RunCommandHunt.Engine.Model;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// AzureActivity rows -> Run Command operations. The seed modes follow the seeds' first block step for step;
    /// the default groups by CorrelationId, knows every Run Command kind and both status vocabularies.
    /// </summary>
    public static class OperationBuilder
    {
        /// <summary>Would this row take part in the operation stage at all? (Used by readers to count and drop noise.)</summary>
        public static bool IsRelevant(AzureActivityRecord row, CompatibilityMode mode)
        {
            switch (mode)
            {
                case CompatibilityMode.HuntingQuery:
                    // where OperationNameValue == "..." (case-sensitive) | where Authorization has "virtualMachines"
                    return string.Equals(row.OperationNameValue, RunCommandKinds.VirtualMachineAction, StringComparison.Ordinal)
                        && KustoSemantics.Has(row.Authorization, "virtualMachines");
                case CompatibilityMode.AnalyticRule:
                    // where OperationNameValue =~ "..." | where Authorization has "virtualMachines"
                    return string.Equals(row.OperationNameValue, RunCommandKinds.VirtualMachineAction, StringComparison.OrdinalIgnoreCase)
                        && KustoSemantics.Has(row.Authorization, "virtualMachines");
                default:
                    return RunCommandKinds.KindOf(row.OperationNameValue) != null;
            }
        }

        public static IEnumerable<RunCommandOperation> Build(IEnumerable<AzureActivityRecord> rows, CompatibilityMode mode, bool includeFailed = false)
        {
            return mode == CompatibilityMode.None ? BuildDefault(rows, includeFailed) : BuildSeed(rows, mode, includeFailed);
        }

        private sealed class Group
        {
            public readonly List<AzureActivityRecord> Rows = new List<AzureActivityRecord>();
            public int FirstSeen;
        }

        private static IEnumerable<RunCommandOperation> BuildSeed(IEnumerable<AzureActivityRecord> rows, CompatibilityMode mode, bool includeFailed)
        {
            // summarize ... by CorrelationId, Authorization, Caller (exact string keys)
            var groups = new Dictionary<(string, string, string), Group>();
            int seen = 0;
            foreach (var row in rows)
            {
                if (!IsRelevant(row, mode)) continue;
                var key = (row.CorrelationId, row.Authorization, row.Caller);
                if (!groups.TryGetValue(key, out var g)) groups[key] = g = new Group { FirstSeen = seen++ };
                g.Rows.Add(row);
            }

            var result = new List<RunCommandOperation>(groups.Count);
            foreach (var g in groups.Values.OrderBy(g => g.FirstSeen))
            {
                var ordered = g.Rows.OrderBy(r => r.TimeGenerated).ToList();
                var statuses = ordered.Select(r => r.ActivityStatusValue).ToArray();
                // where list_ActivityStatusValue has "Succeeded"  /  has_any ("Succeeded", "Success"):
                // evaluated on the JSON text of the list, as Kusto does for dynamic values.
                var listText = KustoJson.StringArray(statuses);
                bool succeeded = mode == CompatibilityMode.HuntingQuery
                    ? KustoSemantics.Has(listText, "Succeeded")
                    : KustoSemantics.HasAny(listText, "Succeeded", "Success");
                if (!succeeded && !includeFailed) continue;

                var first = g.Rows[0];
                string maxIp = "";
                foreach (var r in g.Rows) maxIp = KustoSemantics.MaxOrdinal(maxIp, r.CallerIpAddress);
                // Scope = parse_json(Authorization).scope; Subscription = split(Scope, "/")[2]; VM = split(Scope, "/")[-1]
                var scope = KustoSemantics.JsonProperty(first.Authorization, "scope");
                result.Add(new RunCommandOperation
                {
                    StartTime = ordered[0].TimeGenerated,
                    EndTime = ordered[ordered.Count - 1].TimeGenerated,
                    Subscription = KustoSemantics.SplitAt(scope, '/', 2),
                    ResourceGroup = ResourceScope.Parse(scope).ResourceGroup,
                    VirtualMachineName = KustoSemantics.SplitAt(scope, '/', -1),
                    CorrelationId = first.CorrelationId,
                    Caller = first.Caller,
                    CallerIpAddress = maxIp,
                    Scope = scope,
                    Status = succeeded ? "Succeeded" : OutcomeOf(ordered),
                    ActivityStatusValues = statuses,
                    OperationNameValue = first.OperationNameValue,
                    OperationKind = RunCommandKinds.VirtualMachine,
                    Authorization = first.Authorization,
                    Compatibility = mode,
                });
            }
            return result.OrderBy(o => o.StartTime);
        }

        private static IEnumerable<RunCommandOperation> BuildDefault(IEnumerable<AzureActivityRecord> rows, bool includeFailed)
        {
            // One operation is one CorrelationId: its Started/Accepted/Succeeded events may differ in Authorization
            // detail or carry the IP on one event only, so the seeds' wider key would split it.
            var groups = new Dictionary<string, Group>(StringComparer.OrdinalIgnoreCase);
            int seen = 0;
            foreach (var row in rows)
            {
                if (!IsRelevant(row, CompatibilityMode.None)) continue;
                var key = row.CorrelationId.Length > 0 ? row.CorrelationId : "\0" + row.Caller + "\0" + row.Authorization + "\0" + row.TimeGenerated.Ticks;
                if (!groups.TryGetValue(key, out var g)) groups[key] = g = new Group { FirstSeen = seen++ };
                g.Rows.Add(row);
            }

            var result = new List<RunCommandOperation>(groups.Count);
            foreach (var g in groups.Values)
            {
                var ordered = g.Rows.OrderBy(r => r.TimeGenerated).ToList();
                var outcome = OutcomeOf(ordered);
                if (outcome != "Succeeded" && !includeFailed) continue;

                string scope = "", caller = "", ip = "", auth = "";
                foreach (var r in ordered)
                {
                    if (scope.Length == 0)
                    {
                        scope = KustoSemantics.JsonProperty(r.Authorization, "scope");
                        if (scope.Length == 0) scope = r.ResourceId;
                        if (scope.Length > 0) auth = r.Authorization;
                    }
                    if (caller.Length == 0) caller = r.Caller;
                    if (ip.Length == 0) ip = r.CallerIpAddress;
                }
                var parsed = ResourceScope.Parse(scope);
                var first = ordered[0];
                result.Add(new RunCommandOperation
                {
                    StartTime = first.TimeGenerated,
                    EndTime = ordered[ordered.Count - 1].TimeGenerated,
                    Subscription = parsed.Subscription.Length > 0 ? parsed.Subscription : first.SubscriptionId,
                    ResourceGroup = parsed.ResourceGroup.Length > 0 ? parsed.ResourceGroup : first.ResourceGroup,
                    VirtualMachineName = parsed.MachineName,
                    CorrelationId = first.CorrelationId,
                    Caller = caller,
                    CallerIpAddress = ip,
                    Scope = scope,
                    Status = outcome,
                    ActivityStatusValues = ordered.Select(r => r.ActivityStatusValue).ToArray(),
                    OperationNameValue = first.OperationNameValue,
                    OperationKind = RunCommandKinds.KindOf(first.OperationNameValue) ?? "",
                    Authorization = auth.Length > 0 ? auth : first.Authorization,
                    Compatibility = CompatibilityMode.None,
                });
            }
            return result.OrderBy(o => o.StartTime).ThenBy(o => o.CorrelationId, StringComparer.Ordinal);
        }

        /// <summary>
        /// The outcome of an operation from its status events, in both vocabularies (Succeeded/Success,
        /// Failed/Failure, ...): the last terminal status wins; none yet means InProgress.
        /// </summary>
        public static string OutcomeOf(IReadOnlyList<AzureActivityRecord> timeOrdered)
        {
            string outcome = "InProgress";
            foreach (var r in timeOrdered)
            {
                var s = r.ActivityStatusValue.Trim();
                if (s.Equals("Succeeded", StringComparison.OrdinalIgnoreCase) || s.Equals("Success", StringComparison.OrdinalIgnoreCase))
                    outcome = "Succeeded";
                else if (s.Equals("Failed", StringComparison.OrdinalIgnoreCase) || s.Equals("Failure", StringComparison.OrdinalIgnoreCase))
                    outcome = "Failed";
                else if (s.Equals("Rejected", StringComparison.OrdinalIgnoreCase) || s.Equals("Reject", StringComparison.OrdinalIgnoreCase))
                    outcome = "Rejected";
                else if (s.Equals("Canceled", StringComparison.OrdinalIgnoreCase) || s.Equals("Cancelled", StringComparison.OrdinalIgnoreCase))
                    outcome = "Canceled";
            }
            return outcome;
        }
    }
}
