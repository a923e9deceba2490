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

        /// <summary>
        /// One operation's rows, folded as they are read (rows are many and wide, Authorization JSON above all; an
        /// operation needs few of their fields): the statuses with their times, and of the other columns the value the
        /// build takes, from the row it takes it from. Rows are numbered in the order read, so that "first" and
        /// "earliest" break ties as a stable sort of the rows would.
        /// </summary>
        private sealed class Group
        {
            public Group(int firstSeen, AzureActivityRecord first)
            {
                FirstSeen = firstSeen; First = first; Earliest = first; EarliestTime = first.TimeGenerated;
            }

            public int FirstSeen { get; }
            /// <summary>The first row read.</summary>
            public AzureActivityRecord First { get; }
            /// <summary>The row of the earliest time (the first read of those).</summary>
            public AzureActivityRecord Earliest { get; private set; }
            public DateTime EarliestTime { get; private set; }
            public DateTime LatestTime { get; private set; } = DateTime.MinValue;
            public string MaxCallerIpAddress = "";
            public readonly List<(DateTime Time, string Status)> Statuses = new List<(DateTime, string)>();
            public Earliest Caller, CallerIpAddress, Scope;

            public void Add(AzureActivityRecord row)
            {
                var t = row.TimeGenerated;
                if (t < EarliestTime) { Earliest = row; EarliestTime = t; }
                if (t > LatestTime) LatestTime = t;
                Statuses.Add((t, row.ActivityStatusValue));
            }

            /// <summary>ActivityStatusValue in time order (rows of one time in the order read).</summary>
            public string[] OrderedStatuses() => Statuses.OrderBy(s => s.Time).Select(s => s.Status).ToArray();
        }

        /// <summary>The value of the earliest row that has one (the first read of those); Auth goes with a scope.</summary>
        private struct Earliest
        {
            public bool Found;
            public DateTime Time;
            public string Value, Auth;

            /// <summary>Would a row of this time replace the value held? (Only then is a costly value worked out.)</summary>
            public bool Wants(DateTime time) => !Found || time < Time;

            public void Offer(DateTime time, string value, string auth = "")
            {
                if (value.Length == 0 || !Wants(time)) return;
                Found = true; Time = time; Value = value; Auth = auth;
            }
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
                if (!groups.TryGetValue(key, out var g)) groups[key] = g = new Group(seen++, row);
                g.Add(row);
                g.MaxCallerIpAddress = KustoSemantics.MaxOrdinal(g.MaxCallerIpAddress, row.CallerIpAddress);
            }

            var result = new List<RunCommandOperation>(groups.Count);
            foreach (var g in groups.Values.OrderBy(g => g.FirstSeen))
            {
                var statuses = g.OrderedStatuses();
                // where list_ActivityStatusValue has "Succeeded"  /  has_any ("Succeeded", "Success"):
                // evaluated on the JSON text of the list, as Kusto does for dynamic values.
                var listText = KustoJson.StringArray(statuses);
                bool succeeded = mode == CompatibilityMode.HuntingQuery
                    ? KustoSemantics.Has(listText, "Succeeded")
                    : KustoSemantics.HasAny(listText, "Succeeded", "Success");
                if (!succeeded && !includeFailed) continue;

                var first = g.First;
                // Scope = parse_json(Authorization).scope; Subscription = split(Scope, "/")[2]; VM = split(Scope, "/")[-1]
                var scope = KustoSemantics.JsonProperty(first.Authorization, "scope");
                result.Add(new RunCommandOperation
                {
                    StartTime = g.EarliestTime,
                    EndTime = g.LatestTime,
                    Subscription = KustoSemantics.SplitAt(scope, '/', 2),
                    ResourceGroup = ResourceScope.Parse(scope).ResourceGroup,
                    VirtualMachineName = KustoSemantics.SplitAt(scope, '/', -1),
                    CorrelationId = first.CorrelationId,
                    Caller = first.Caller,
                    CallerIpAddress = g.MaxCallerIpAddress,
                    Scope = scope,
                    Status = succeeded ? "Succeeded" : OutcomeOf(statuses),
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
                if (!groups.TryGetValue(key, out var g)) groups[key] = g = new Group(seen++, row);
                g.Add(row);
                // Of the rows in time order: the first scope (Authorization's, else the resource id), caller and IP.
                var t = row.TimeGenerated;
                if (g.Scope.Wants(t))
                {
                    var scope = KustoSemantics.JsonProperty(row.Authorization, "scope");
                    if (scope.Length == 0) scope = row.ResourceId;
                    g.Scope.Offer(t, scope, row.Authorization);
                }
                g.Caller.Offer(t, row.Caller);
                g.CallerIpAddress.Offer(t, row.CallerIpAddress);
            }

            var result = new List<RunCommandOperation>(groups.Count);
            foreach (var g in groups.Values)
            {
                var statuses = g.OrderedStatuses();
                var outcome = OutcomeOf(statuses);
                if (outcome != "Succeeded" && !includeFailed) continue;

                var scope = g.Scope.Found ? g.Scope.Value : "";
                var parsed = ResourceScope.Parse(scope);
                var first = g.Earliest;
                result.Add(new RunCommandOperation
                {
                    StartTime = g.EarliestTime,
                    EndTime = g.LatestTime,
                    Subscription = parsed.Subscription.Length > 0 ? parsed.Subscription : first.SubscriptionId,
                    ResourceGroup = parsed.ResourceGroup.Length > 0 ? parsed.ResourceGroup : first.ResourceGroup,
                    VirtualMachineName = parsed.MachineName,
                    CorrelationId = first.CorrelationId,
                    Caller = g.Caller.Found ? g.Caller.Value : "",
                    CallerIpAddress = g.CallerIpAddress.Found ? g.CallerIpAddress.Value : "",
                    Scope = scope,
                    Status = outcome,
                    ActivityStatusValues = statuses,
                    OperationNameValue = first.OperationNameValue,
                    OperationKind = RunCommandKinds.KindOf(first.OperationNameValue) ?? "",
                    Authorization = g.Scope.Found && g.Scope.Auth.Length > 0 ? g.Scope.Auth : first.Authorization,
                    Compatibility = CompatibilityMode.None,
                });
            }
            return result.OrderBy(o => o.StartTime).ThenBy(o => o.CorrelationId, StringComparer.Ordinal);
        }

        /// <summary>
        /// The outcome of an operation from its status events, in both vocabularies (Succeeded/Success,
        /// Failed/Failure, ...): the last terminal status wins; none yet means InProgress.
        /// </summary>
        public static string OutcomeOf(IReadOnlyList<AzureActivityRecord> timeOrdered) =>
            OutcomeOf(timeOrdered.Select(r => r.ActivityStatusValue));

        /// <summary>The same, from the ActivityStatusValues in time order.</summary>
        public static string OutcomeOf(IEnumerable<string> timeOrderedStatuses)
        {
            string outcome = "InProgress";
            foreach (var status in timeOrderedStatuses)
            {
                var s = status.Trim();
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
