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
        private readonly Dictionary<(string, object, string), Group> groups;
        /// <summary>One copy of each short text an operation keeps: scope, subscription, caller and the like repeat.</summary>
        private readonly SharedTexts texts = new SharedTexts();
        /// <summary>One copy of each Authorization (~1 KB of JSON, the same on every operation of one principal and
        /// role on one machine), kept as <see cref="CompactText"/>: the largest thing the fold held.</summary>
        private readonly Dictionary<object, object> authorizations = new Dictionary<object, object>(CompactText.Comparer.Instance);
        private int seen;
        private bool built;

        public OperationFold(CompatibilityMode mode, bool includeFailed = false)
        {
            this.mode = mode;
            this.includeFailed = includeFailed;
            groups = new Dictionary<(string, object, string), Group>(mode == CompatibilityMode.None ? GroupKey.IgnoreCase : GroupKey.Exact);
        }

        /// <summary>What the build reads of a row, instead of the row (whose resource id and Authorization text are most of it).</summary>
        private sealed class Kept
        {
            public Kept(AzureActivityRecord row, object authorization)
            {
                CorrelationId = row.CorrelationId; Caller = row.Caller; OperationNameValue = row.OperationNameValue;
                SubscriptionId = row.SubscriptionId; ResourceGroup = row.ResourceGroup; Authorization = authorization;
            }

            public readonly string CorrelationId, Caller, OperationNameValue, SubscriptionId, ResourceGroup;
            /// <summary>A <see cref="CompactText"/>.</summary>
            public object Authorization;
        }

        /// <summary>
        /// One operation's rows: the statuses with their times, and of the other columns the value the build takes,
        /// from the row it takes it from. Rows count in the order read, so that "first" and "earliest" break ties as a
        /// stable sort of the rows would.
        /// </summary>
        private sealed class Group
        {
            public Group(int firstSeen, DateTime time, Kept first)
            {
                FirstSeen = firstSeen; First = first; Earliest = first; EarliestTime = time;
            }

            public int FirstSeen { get; set; }
            /// <summary>The first row read.</summary>
            public Kept First { get; }
            /// <summary>The row of the earliest time (the first read of those).</summary>
            public Kept Earliest { get; private set; }
            public DateTime EarliestTime { get; private set; }
            public DateTime LatestTime { get; private set; } = DateTime.MinValue;
            public string MaxCallerIpAddress = "";
            public readonly List<(DateTime Time, string Status)> Statuses = new List<(DateTime, string)>(3);
            public EarliestValue Caller, CallerIpAddress, Scope;

            /// <summary>Would a row of this time be the earliest? (Only then is its <see cref="Kept"/> made.)</summary>
            public bool IsEarlier(DateTime time) => time < EarliestTime;

            public void TakeEarliest(DateTime time, Kept row)
            {
                Earliest = row;
                EarliestTime = time;
            }

            public void Add(DateTime time, string status)
            {
                if (time > LatestTime) LatestTime = time;
                Statuses.Add((time, status));
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

        /// <summary>The value of the earliest row that has one (the first read of those); Auth (a <see cref="CompactText"/>) goes with a scope.</summary>
        private struct EarliestValue
        {
            public bool Found;
            public DateTime Time;
            public string Value;
            public object? Auth;

            /// <summary>Would a row of this time replace the value held? (Only then is a costly value worked out.)</summary>
            public bool Wants(DateTime time) => !Found || time < Time;

            public void Offer(DateTime time, string value, object? auth = null)
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
            if (built) throw new InvalidOperationException("The fold's operations are built: it takes no more rows.");
            if (!OperationBuilder.IsRelevant(row, mode)) return;
            var t = row.TimeGenerated;
            if (mode != CompatibilityMode.None)
            {
                // summarize ... by CorrelationId, Authorization, Caller (exact string keys)
                var auth = Authorization(row.Authorization);
                var key = (row.CorrelationId, auth, Shared(row.Caller));
                if (!groups.TryGetValue(key, out var g)) groups[key] = g = new Group(seen++, t, new Kept(row, auth));
                else if (g.IsEarlier(t)) g.TakeEarliest(t, new Kept(row, auth));
                g.Add(t, row.ActivityStatusValue);
                g.MaxCallerIpAddress = KustoSemantics.MaxOrdinal(g.MaxCallerIpAddress, row.CallerIpAddress);
                return;
            }
            // One operation is one CorrelationId: its Started/Accepted/Succeeded events may differ in Authorization
            // detail or carry the IP on one event only, so the seeds' wider key would split it.
            var id = row.CorrelationId.Length > 0 ? row.CorrelationId : "\0" + row.Caller + "\0" + row.Authorization + "\0" + t.Ticks;
            object? compact = null;
            object Auth() => compact ??= Authorization(row.Authorization);
            if (!groups.TryGetValue((id, "", ""), out var d)) groups[(id, "", "")] = d = new Group(seen++, t, new Kept(row, Auth()));
            else if (d.IsEarlier(t)) d.TakeEarliest(t, new Kept(row, Auth()));
            d.Add(t, row.ActivityStatusValue);
            // Of the rows in time order: the first scope (Authorization's, else the resource id), caller and IP.
            if (d.Scope.Wants(t))
            {
                var scope = KustoSemantics.JsonProperty(row.Authorization, "scope");
                if (scope.Length == 0) scope = row.ResourceId;
                d.Scope.Offer(t, Shared(scope), Auth());
            }
            d.Caller.Offer(t, Shared(row.Caller));
            d.CallerIpAddress.Offer(t, Shared(row.CallerIpAddress));
        }

        private string Shared(string text) => texts.Share(text);

        private object Authorization(string text)
        {
            if (text.Length == 0) return "";
            if (authorizations.TryGetValue(text, out var held)) return held;
            var compact = CompactText.Of(text, Shared);
            authorizations.Add(compact, compact);
            return compact;
        }

        private object Authorization(object compact)
        {
            if (compact is string s && s.Length == 0) return "";
            if (authorizations.TryGetValue(compact, out var held)) return held;
            authorizations.Add(compact, compact);
            return compact;
        }

        public IEvidenceFold<AzureActivityRecord> NewPart() => new OperationFold(mode, includeFailed);

        /// <summary>Nothing to move: an operation keeps no row's line.</summary>
        public void ShiftLines(long lines) { }

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
                    g.First.Authorization = Authorization(g.First.Authorization);
                    groups[(entry.Key.Item1, Authorization(entry.Key.Item2), Shared(entry.Key.Item3))] = g;
                }
                g.Earliest.Authorization = Authorization(g.Earliest.Authorization);
                if (g.Scope.Found)
                {
                    g.Scope.Value = Shared(g.Scope.Value);
                    if (g.Scope.Auth != null) g.Scope.Auth = Authorization(g.Scope.Auth);
                }
            }
        }

        /// <summary>
        /// The operations, ordered by StartTime (then CorrelationId in the default), each made as it is taken: a group
        /// goes once its operation is made, so that the fold and all its operations are never held together (their
        /// Authorization texts are most of both). The fold is emptied; its operations can be taken once.
        /// </summary>
        public IEnumerable<RunCommandOperation> Build()
        {
            if (built) throw new InvalidOperationException("The operations of a fold are built once.");
            built = true;
            // Ordered as a stable sort of the operations in the order their first rows were read.
            var byFirstRow = groups.Values.OrderBy(g => g.FirstSeen);
            var ordered = (mode == CompatibilityMode.None
                ? byFirstRow.OrderBy(g => g.EarliestTime).ThenBy(g => g.Earliest.CorrelationId, StringComparer.Ordinal)
                : byFirstRow.OrderBy(g => g.EarliestTime)).ToArray();
            groups.Clear();
            authorizations.Clear(); // each operation's text is made as the operation is
            return Take(ordered);
        }

        private IEnumerable<RunCommandOperation> Take(Group?[] ordered)
        {
            for (int i = 0; i < ordered.Length; i++)
            {
                var g = ordered[i] ?? throw new InvalidOperationException("The operations of a fold are built once.");
                ordered[i] = null;
                var op = mode == CompatibilityMode.None ? DefaultOperation(g) : SeedOperation(g);
                if (op != null) yield return op;
            }
        }

        private RunCommandOperation? SeedOperation(Group g)
        {
            var statuses = g.OrderedStatuses();
            // where list_ActivityStatusValue has "Succeeded"  /  has_any ("Succeeded", "Success"):
            // evaluated on the JSON text of the list, as Kusto does for dynamic values.
            var listText = Fingerprinting.KustoJson.StringArray(statuses);
            bool succeeded = mode == CompatibilityMode.HuntingQuery
                ? KustoSemantics.Has(listText, "Succeeded")
                : KustoSemantics.HasAny(listText, "Succeeded", "Success");
            if (!succeeded && !includeFailed) return null;

            var first = g.First;
            var authorization = CompactText.Text(first.Authorization);
            // Scope = parse_json(Authorization).scope; Subscription = split(Scope, "/")[2]; VM = split(Scope, "/")[-1]
            var scope = Shared(KustoSemantics.JsonProperty(authorization, "scope"));
            return new RunCommandOperation
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
                Authorization = authorization,
                Compatibility = mode,
            };
        }

        private RunCommandOperation? DefaultOperation(Group g)
        {
            var statuses = g.OrderedStatuses();
            var outcome = OperationBuilder.OutcomeOf(statuses);
            if (outcome != "Succeeded" && !includeFailed) return null;

            var scope = g.Scope.Found ? Shared(g.Scope.Value) : "";
            var parsed = ResourceScope.Parse(scope);
            var first = g.Earliest;
            return new RunCommandOperation
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
                Authorization = CompactText.Text(g.Scope.Found && g.Scope.Auth != null && !CompactText.IsEmpty(g.Scope.Auth) ? g.Scope.Auth : first.Authorization),
                Compatibility = CompatibilityMode.None,
            };
        }

        /// <summary>Group keys: the seeds' three columns exactly (Authorization as its <see cref="CompactText"/>); the
        /// default's CorrelationId ignoring case.</summary>
        private sealed class GroupKey : IEqualityComparer<(string, object, string)>
        {
            public static readonly GroupKey Exact = new GroupKey(StringComparer.Ordinal);
            public static readonly GroupKey IgnoreCase = new GroupKey(StringComparer.OrdinalIgnoreCase);
            private readonly StringComparer comparer;

            private GroupKey(StringComparer comparer) { this.comparer = comparer; }

            public bool Equals((string, object, string) a, (string, object, string) b) =>
                comparer.Equals(a.Item1, b.Item1) && CompactText.Comparer.Instance.Equals(a.Item2, b.Item2) && comparer.Equals(a.Item3, b.Item3);

            public int GetHashCode((string, object, string) k) =>
                (comparer.GetHashCode(k.Item1) * 31 + CompactText.Comparer.Instance.GetHashCode(k.Item2)) * 31 + comparer.GetHashCode(k.Item3);
        }
    }
}
