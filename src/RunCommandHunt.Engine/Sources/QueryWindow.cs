using System;
using System.Collections.Generic;
using System.Globalization;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>
    /// A half-open UTC time range [Start, End). Every live query covers exactly one window: the request timespan and
    /// the query's own <c>TimeGenerated &gt;= Start and TimeGenerated &lt; End</c> name the same two instants, so
    /// adjacent windows neither overlap nor leave a gap.
    /// </summary>
    public readonly struct QueryWindow : IEquatable<QueryWindow>
    {
        public QueryWindow(DateTime start, DateTime end)
        {
            start = ToUtc(start);
            end = ToUtc(end);
            if (end <= start)
                throw new ArgumentException(
                    $"A query window must end after it starts: [{Format(start)}, {Format(end)}).", nameof(end));
            Start = start;
            End = end;
        }

        /// <summary>Inclusive start, UTC.</summary>
        public DateTime Start { get; }

        /// <summary>Exclusive end, UTC.</summary>
        public DateTime End { get; }

        public TimeSpan Duration => End - Start;

        /// <summary>The window for an inclusive range [start, end] as Kusto's <c>between</c> reads it: end + 1 tick.</summary>
        public static QueryWindow FromInclusive(DateTime start, DateTime endInclusive) =>
            new QueryWindow(start, ToUtc(endInclusive).AddTicks(1));

        /// <summary>The request body's timespan: "start/end", ISO 8601 UTC with 7 fraction digits.</summary>
        public string ToIsoInterval() => Format(Start) + "/" + Format(End);

        /// <summary>True when the window holds the instant (Start inclusive, End exclusive).</summary>
        public bool Contains(DateTime instant)
        {
            instant = ToUtc(instant);
            return instant >= Start && instant < End;
        }

        public bool Overlaps(QueryWindow other) => Start < other.End && other.Start < End;

        /// <summary>The common part of two windows, or null when they do not overlap.</summary>
        public QueryWindow? Intersect(QueryWindow other)
        {
            var s = Start > other.Start ? Start : other.Start;
            var e = End < other.End ? End : other.End;
            return e > s ? new QueryWindow(s, e) : (QueryWindow?)null;
        }

        /// <summary>Two halves [Start, mid) and [mid, End). Needs at least 2 ticks.</summary>
        public (QueryWindow First, QueryWindow Second) Halve()
        {
            long ticks = End.Ticks - Start.Ticks;
            if (ticks < 2) throw new InvalidOperationException($"The window {this} is one tick long and cannot be halved.");
            var mid = new DateTime(Start.Ticks + ticks / 2, DateTimeKind.Utc);
            return (new QueryWindow(Start, mid), new QueryWindow(mid, End));
        }

        /// <summary>Consecutive windows of at most <paramref name="size"/> that cover this one exactly.</summary>
        public IReadOnlyList<QueryWindow> Split(TimeSpan size)
        {
            if (size <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(size), size, "The chunk size must be positive.");
            var list = new List<QueryWindow>();
            var s = Start;
            while (s < End)
            {
                // Ticks arithmetic: no overflow near DateTime.MaxValue and no floating point.
                long remaining = End.Ticks - s.Ticks;
                var e = remaining <= size.Ticks ? End : new DateTime(s.Ticks + size.Ticks, DateTimeKind.Utc);
                list.Add(new QueryWindow(s, e));
                s = e;
            }
            return list;
        }

        /// <summary>ISO 8601 UTC, 7 fraction digits: 2024-05-01T10:00:00.0000000Z.</summary>
        public static string Format(DateTime value) =>
            ToUtc(value).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

        internal static DateTime ToUtc(DateTime value)
        {
            switch (value.Kind)
            {
                case DateTimeKind.Utc: return value;
                case DateTimeKind.Local: return value.ToUniversalTime();
                default: return DateTime.SpecifyKind(value, DateTimeKind.Utc); // the engine's convention: unspecified = UTC
            }
        }

        public bool Equals(QueryWindow other) => Start == other.Start && End == other.End;
        public override bool Equals(object? obj) => obj is QueryWindow w && Equals(w);
        public override int GetHashCode() => Start.GetHashCode() * 31 + End.GetHashCode();
        public static bool operator ==(QueryWindow a, QueryWindow b) => a.Equals(b);
        public static bool operator !=(QueryWindow a, QueryWindow b) => !a.Equals(b);

        public override string ToString() => "[" + Format(Start) + ", " + Format(End) + ")";
    }
}
