using System;
using System.Collections.Generic;
using System.Linq;

namespace RunCommandHunt.Engine.Tests.Oracle
{
    /// <summary>One row of a Kusto table: column name to cell. Cells are string, DateTime, long, double, bool,
    /// a dynamic array (<see cref="List{T}"/> of object?), a property bag (<see cref="KqlBag"/>) or null.</summary>
    public sealed class Row : Dictionary<string, object?>
    {
        public Row() : base(StringComparer.Ordinal) { }
        public Row(IDictionary<string, object?> other) : base(other, StringComparer.Ordinal) { }
    }

    /// <summary>A dynamic property bag, kept apart from <see cref="Row"/> so the two are never confused.</summary>
    public sealed class KqlBag : Dictionary<string, object?>
    {
        public KqlBag() : base(StringComparer.Ordinal) { }
    }

    /// <summary>An in-memory Kusto table: a schema and rows. The schema matters for leftouter joins, where an
    /// unmatched left row still gets every right column (as null).</summary>
    public sealed class KqlTable
    {
        public KqlTable(IEnumerable<string> columns, IEnumerable<Row> rows)
        {
            Columns = columns.ToList();
            Rows = rows.ToList();
        }

        public IReadOnlyList<string> Columns { get; }
        public List<Row> Rows { get; }
        public int Count => Rows.Count;

        /// <summary>A deliberately plain, literal implementation of the tabular operators the seeds use.
        /// Each returns a new table; nothing is mutated.</summary>
        public KqlTable Where(Func<Row, bool?> predicate)
        {
            // where keeps a row only when the predicate is true; null (e.g. between on a null cell) drops it.
            return new KqlTable(Columns, Rows.Where(r => predicate(r) == true));
        }

        public KqlTable Extend(string column, Func<Row, object?> expression)
        {
            // Every expression sees the row as it was before this extend (Kusto evaluates on the input row).
            var rows = Rows.Select(r =>
            {
                var value = expression(r);
                var copy = new Row(r);
                copy[column] = value;
                return copy;
            }).ToList();
            var columns = Columns.Contains(column) ? Columns : Columns.Concat(new[] { column });
            return new KqlTable(columns, rows);
        }

        /// <summary>project Name=Expr, ...; a bare column is (Name, r => r[Name]).</summary>
        public KqlTable Project(params (string Name, Func<Row, object?> Expression)[] columns)
        {
            var rows = Rows.Select(r =>
            {
                var projected = new Row();
                foreach (var c in columns) projected[c.Name] = c.Expression(r);
                return projected;
            }).ToList();
            return new KqlTable(columns.Select(c => c.Name), rows);
        }

        public KqlTable Project(params string[] columns)
        {
            return Project(columns.Select(c => (c, (Func<Row, object?>)(r => r[c]))).ToArray());
        }

        /// <summary>summarize aggs by keys. Groups appear in first-seen order (Kusto's order is undefined);
        /// each group's rows keep the input order, which is what make_list tracks on sorted input.</summary>
        public KqlTable Summarize(string[] by, params (string Name, Func<IReadOnlyList<Row>, object?> Aggregate)[] aggregates)
        {
            var groups = new List<(object?[] Key, List<Row> Rows)>();
            foreach (var row in Rows)
            {
                var key = by.Select(k => row[k]).ToArray();
                var group = groups.FirstOrDefault(g => KeysEqual(g.Key, key));
                if (group.Rows == null)
                {
                    group = (key, new List<Row>());
                    groups.Add(group);
                }
                group.Rows.Add(row);
            }

            var output = new List<Row>();
            foreach (var g in groups)
            {
                var r = new Row();
                for (var i = 0; i < by.Length; i++) r[by[i]] = g.Key[i];
                foreach (var a in aggregates) r[a.Name] = a.Aggregate(g.Rows);
                output.Add(r);
            }
            if (by.Length == 0 && Rows.Count == 0)
            {
                // Without a by clause summarize always returns one row of aggregate defaults.
                var r = new Row();
                foreach (var a in aggregates) r[a.Name] = a.Aggregate(Array.Empty<Row>());
                output.Add(r);
            }
            return new KqlTable(by.Concat(aggregates.Select(a => a.Name)), output);
        }

        /// <summary>join kind=leftouter on $left.leftKey == $right.rightKey.</summary>
        public KqlTable JoinLeftOuter(KqlTable right, string leftKey, string rightKey)
        {
            return Join(right, leftKey, rightKey, keepUnmatchedLeft: true);
        }

        /// <summary>join kind=inner on $left.leftKey == $right.rightKey: every matching pair.</summary>
        public KqlTable JoinInner(KqlTable right, string leftKey, string rightKey)
        {
            return Join(right, leftKey, rightKey, keepUnmatchedLeft: false);
        }

        private KqlTable Join(KqlTable right, string leftKey, string rightKey, bool keepUnmatchedLeft)
        {
            // A right column whose name the left side already has is renamed with a suffix 1 (join-leftouter docs).
            var rightNames = right.Columns.Select(c => (Source: c, Target: Columns.Contains(c) ? c + "1" : c)).ToList();
            var output = new List<Row>();
            foreach (var l in Rows)
            {
                var matched = false;
                foreach (var r in right.Rows)
                {
                    // Join equality is == : case-sensitive for strings.
                    if (Kql.Equal(l[leftKey], r[rightKey]) != true) continue;
                    matched = true;
                    var joined = new Row(l);
                    foreach (var n in rightNames) joined[n.Target] = r[n.Source];
                    output.Add(joined);
                }
                if (!matched && keepUnmatchedLeft)
                {
                    var joined = new Row(l);
                    foreach (var n in rightNames) joined[n.Target] = null;
                    output.Add(joined);
                }
            }
            return new KqlTable(Columns.Concat(rightNames.Select(n => n.Target)), output);
        }

        /// <summary>order by column asc. A stable sort: the order of ties is undefined in Kusto, so tests never
        /// depend on it.</summary>
        public KqlTable OrderByAscending(string column)
        {
            var indexed = Rows.Select((r, i) => (Row: r, Index: i)).ToList();
            indexed.Sort((a, b) =>
            {
                var c = Kql.Compare(a.Row[column], b.Row[column]);
                return c != 0 ? c : a.Index.CompareTo(b.Index);
            });
            return new KqlTable(Columns, indexed.Select(x => x.Row));
        }

        private static bool KeysEqual(object?[] a, object?[] b)
        {
            for (var i = 0; i < a.Length; i++)
            {
                // Grouping treats two nulls as one group; strings compare ordinally.
                if (a[i] == null && b[i] == null) continue;
                if (Kql.Equal(a[i], b[i]) != true) return false;
            }
            return true;
        }
    }
}
