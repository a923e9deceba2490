using System;
using System.Collections.Generic;
using System.Linq;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// AzureActivity rows folded into Run Command operations as they are read (rows are many and wide, Authorization
    /// JSON above all; an operation needs few of their fields). The seed modes group by CorrelationId, Authorization
    /// and Caller as the seeds summarize; the default by CorrelationId alone. <see cref="Build"/> gives what
    /// <see cref="OperationBuilder.Build"/> gives for the same rows in the same order.
    /// </summary>
    public sealed class OperationFold : IEvidenceFold<AzureActivityRecord>
    {
        private readonly CompatibilityMode mode;
        private readonly bool includeFailed;
        private readonly Dictionary<(string, string, string), Group> groups;
        /// <summary>One copy of each text an operation keeps: Authorization is ~1 KB of JSON, the same on every operation
        /// of one principal and role on one machine; scope, subscription, caller and the like repeat as much.</summary>
        private readonly Dictionary<string, string> texts = new Dictionary<string, string>(StringComparer.Ordinal);
        private int seen;

        public OperationFold(CompatibilityMode mode, bool includeFailed = false)
        {
            this.mode = mode;
            this.includeFailed = includeFailed;
            groups = new Dictionary<(string, string, string), Group>(mode == CompatibilityMode.None ? GroupKey.IgnoreCase : GroupKey.Exact);
        }

        /// <summary>
        /// One operation's rows: the statuses with their times, and of the other columns the value the build takes,
        /// from the row it takes it from. Rows count in the order read, so that "first" and "earliest" break ties as a
        /// stable sort of the rows would.
        /// </summary>
        private sealed class Group
        {
            public Group(int firstSeen, AzureActivityRecord first)
            {
                FirstSeen = firstSeen; First = first; Earliest = first; EarliestTime = first.TimeGenerated;
            }

            public int FirstSeen { get; set; }
            /// <summary>The first row read.</summary>
            public AzureActivityRecord First { get; }
            /// <summary>The row of the earliest time (the first read of those).</summary>
            public AzureActivityRecord Earliest { get; private set; }
            public DateTime EarliestTime { get; private set; }
            public DateTime LatestTime { get; private set; } = DateTime.MinValue;
            public string MaxCallerIpAddress = "";
            public readonly List<(DateTime Time, string Status)> Statuses = new List<(DateTime, string)>();
            public EarliestValue Caller, CallerIpAddress, Scope;

            public void Add(AzureActivityRecord row)
            {
                var t = row.TimeGenerated;
                if (t < EarliestTime) { Earliest = row; EarliestTime = t; }
                if (t > LatestTime) LatestTime = t;
                Statuses.Add((t, row.ActivityStatusValue));
            }

            /// <summary>The rows of a later part of the input, as if added after these.</summary>
            public void Append(Group later)
            {
                if (later.EarliestTime < EarliestTime) { Earliest = later.Earliest; EarliestTime = later.EarliestTime; }
                if (later.LatestTime > LatestTime) LatestTime = later.LatestTime;
                Statuses.AddRange(later.Statuses);
                MaxCallerIpAddress = KustoSemantics.MaxOrdinal(MaxCallerIpAddress, later.MaxCallerIpAddress);
                Caller.Take(later.Caller);
                CallerIpAddress.Take(later.CallerIpAddress);
                Scope.Take(later.Scope);
            }

            /// <summary>ActivityStatusValue in time order (rows of one time in the order read).</summary>
            public string[] OrderedStatuses() => Statuses.OrderBy(s => s.Time).Select(s => s.Status).ToArray();
        }

        /// <summary>The value of the earliest row that has one (the first read of those); Auth goes with a scope.</summary>
        private struct EarliestValue
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

            /// <summary>A later part's value, which wins only when it is earlier.</summary>
            public void Take(EarliestValue later)
            {
                if (later.Found && Wants(later.Time)) this = later;
            }
        }

        public void Add(AzureActivityRecord row)
        {
            if (row == null) throw new ArgumentNullException(nameof(row));
            if (!OperationBuilder.IsRelevant(row, mode)) return;
            row.Authorization = Shared(row.Authorization);
            if (mode != CompatibilityMode.None)
            {
                // summarize ... by CorrelationId, Authorization, Caller (exact string keys)
                var g = GroupOf((row.CorrelationId, row.Authorization, row.Caller), row);
                g.MaxCallerIpAddress = KustoSemantics.MaxOrdinal(g.MaxCallerIpAddress, row.CallerIpAddress);
                return;
            }
            // One operation is one CorrelationId: its Started/Accepted/Succeeded events may differ in Authorization
            // detail or carry the IP on one event only, so the seeds' wider key would split it.
            var key = row.CorrelationId.Length > 0 ? row.CorrelationId : "\0" + row.Caller + "\0" + row.Authorization + "\0" + row.TimeGenerated.Ticks;
            var d = GroupOf((key, "", ""), row);
            // Of the rows in time order: the first scope (Authorization's, else the resource id), caller and IP.
            var t = row.TimeGenerated;
            if (d.Scope.Wants(t))
            {
                var scope = KustoSemantics.JsonProperty(row.Authorization, "scope");
                if (scope.Length == 0) scope = row.ResourceId;
                d.Scope.Offer(t, Shared(scope), row.Authorization);
            }
            d.Caller.Offer(t, row.Caller);
            d.CallerIpAddress.Offer(t, row.CallerIpAddress);
        }

        private string Shared(string text)
        {
            if (text.Length == 0) return text;
            if (texts.TryGetValue(text, out var held)) return held;
            texts.Add(text, text);
            return text;
        }

        private Group GroupOf((string, string, string) key, AzureActivityRecord row)
        {
            if (!groups.TryGetValue(key, out var g)) groups[key] = g = new Group(seen++, row);
            g.Add(row);
            return g;
        }

        public IEvidenceFold<AzureActivityRecord> NewPart() => new OperationFold(mode, includeFailed);

        public void ShiftLines(long lines)
        {
            foreach (var g in groups.Values)
            {
                Shift(g.First, lines);
                if (!ReferenceEquals(g.Earliest, g.First)) Shift(g.Earliest, lines);
            }
        }

        private static void Shift(AzureActivityRecord r, long lines) => r.Origin = r.Origin.MovedOn(lines);

        public void Append(IEvidenceFold<AzureActivityRecord> later)
        {
            var part = (OperationFold)later;
            if (part.mode != mode || part.includeFailed != includeFailed) throw new ArgumentException("a part of another kind of fold", nameof(later));
            foreach (var entry in part.groups.OrderBy(e => e.Value.FirstSeen))
            {
                // The part held its own copies of the texts: what is kept points to these instead.
                if (groups.TryGetValue(entry.Key, out var g)) g.Append(entry.Value);
                else
                {
                    g = entry.Value;
                    g.FirstSeen = seen++;
                    g.First.Authorization = Shared(g.First.Authorization);
                    groups[(entry.Key.Item1, Shared(entry.Key.Item2), entry.Key.Item3)] = g;
                }
                g.Earliest.Authorization = Shared(g.Earliest.Authorization);
                if (g.Scope.Found)
                {
                    g.Scope.Value = Shared(g.Scope.Value);
                    g.Scope.Auth = Shared(g.Scope.Auth);
                }
            }
        }

        /// <summary>The operations, ordered by StartTime (then CorrelationId in the default).</summary>
        public IEnumerable<RunCommandOperation> Build() => mode == CompatibilityMode.None ? BuildDefault() : BuildSeed();

        private IEnumerable<RunCommandOperation> BuildSeed()
        {
            var result = new List<RunCommandOperation>(groups.Count);
            foreach (var g in groups.Values.OrderBy(g => g.FirstSeen))
            {
                var statuses = g.OrderedStatuses();
                // where list_ActivityStatusValue has "Succeeded"  /  has_any ("Succeeded", "Success"):
                // evaluated on the JSON text of the list, as Kusto does for dynamic values.
                var listText = Fingerprinting.KustoJson.StringArray(statuses);
                bool succeeded = mode == CompatibilityMode.HuntingQuery
                    ? KustoSemantics.Has(listText, "Succeeded")
                    : KustoSemantics.HasAny(listText, "Succeeded", "Success");
                if (!succeeded && !includeFailed) continue;

                var first = g.First;
                // Scope = parse_json(Authorization).scope; Subscription = split(Scope, "/")[2]; VM = split(Scope, "/")[-1]
                var scope = Shared(KustoSemantics.JsonProperty(first.Authorization, "scope"));
                result.Add(new RunCommandOperation
                {
                    StartTime = g.EarliestTime,
                    EndTime = g.LatestTime,
                    Subscription = Shared(KustoSemantics.SplitAt(scope, '/', 2)),
                    ResourceGroup = Shared(ResourceScope.Parse(scope).ResourceGroup),
                    VirtualMachineName = Shared(KustoSemantics.SplitAt(scope, '/', -1)),
                    CorrelationId = first.CorrelationId,
                    Caller = Shared(first.Caller),
                    CallerIpAddress = Shared(g.MaxCallerIpAddress),
                    Scope = scope,
                    Status = succeeded ? "Succeeded" : OperationBuilder.OutcomeOf(statuses),
                    ActivityStatusValues = statuses,
                    OperationNameValue = first.OperationNameValue,
                    OperationKind = RunCommandKinds.VirtualMachine,
                    Authorization = first.Authorization,
                    Compatibility = mode,
                });
            }
            return result.OrderBy(o => o.StartTime);
        }

        private IEnumerable<RunCommandOperation> BuildDefault()
        {
            var result = new List<RunCommandOperation>(groups.Count);
            foreach (var g in groups.Values.OrderBy(g => g.FirstSeen))
            {
                var statuses = g.OrderedStatuses();
                var outcome = OperationBuilder.OutcomeOf(statuses);
                if (outcome != "Succeeded" && !includeFailed) continue;

                var scope = g.Scope.Found ? Shared(g.Scope.Value) : "";
                var parsed = ResourceScope.Parse(scope);
                var first = g.Earliest;
                result.Add(new RunCommandOperation
                {
                    StartTime = g.EarliestTime,
                    EndTime = g.LatestTime,
                    Subscription = Shared(parsed.Subscription.Length > 0 ? parsed.Subscription : first.SubscriptionId),
                    ResourceGroup = Shared(parsed.ResourceGroup.Length > 0 ? parsed.ResourceGroup : first.ResourceGroup),
                    VirtualMachineName = Shared(parsed.MachineName),
                    CorrelationId = first.CorrelationId,
                    Caller = g.Caller.Found ? Shared(g.Caller.Value) : "",
                    CallerIpAddress = g.CallerIpAddress.Found ? Shared(g.CallerIpAddress.Value) : "",
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

        /// <summary>Group keys: the seeds' three columns exactly; the default's CorrelationId ignoring case.</summary>
        private sealed class GroupKey : IEqualityComparer<(string, string, string)>
        {
            public static readonly GroupKey Exact = new GroupKey(StringComparer.Ordinal);
            public static readonly GroupKey IgnoreCase = new GroupKey(StringComparer.OrdinalIgnoreCase);
            private readonly StringComparer comparer;

            private GroupKey(StringComparer comparer) { this.comparer = comparer; }

            public bool Equals((string, string, string) a, (string, string, string) b) =>
                comparer.Equals(a.Item1, b.Item1) && comparer.Equals(a.Item2, b.Item2) && comparer.Equals(a.Item3, b.Item3);

            public int GetHashCode((string, string, string) k) =>
                (comparer.GetHashCode(k.Item1) * 31 + comparer.GetHashCode(k.Item2)) * 31 + comparer.GetHashCode(k.Item3);
        }
    }
}
