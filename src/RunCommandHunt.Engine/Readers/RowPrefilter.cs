using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using RunCommandHunt.Engine.Readers.Formats;

namespace RunCommandHunt.Engine.Readers
{
    /// <summary>
    /// A test on a row's raw text that every row a relevance predicate keeps must pass, so that the other rows can
    /// be passed over before any string is made of them. It is a conjunction of clauses; a clause holds when one of
    /// its columns contains one of its tokens (see <see cref="Clause"/>; a quote in a token is found in CSV's doubled
    /// form too, the raw field holding "" for each). It only ever says "cannot be kept": a column with non-ASCII text
    /// counts as a hit for any-case tokens, because .NET's case-insensitive comparisons also match some non-ASCII
    /// letters ('ı' to "I", 'ſ' to "S"); and a row is passed over only when its time, numbers and Type would also
    /// have passed the mapper, so that the counts (read = used + filtered + rejected) are what they were without it.
    /// </summary>
    public sealed class RowPrefilter
    {
        private readonly Clause[] clauses;

        private RowPrefilter(EvidenceTable table, Clause[] clauses)
        {
            Table = table;
            this.clauses = clauses;
        }

        public EvidenceTable Table { get; }

        /// <summary>A row passes when every clause holds.</summary>
        public static RowPrefilter Create(EvidenceTable table, params Clause[] clauses)
        {
            if (clauses == null || clauses.Length == 0) throw new ArgumentException("a prefilter needs a clause", nameof(clauses));
            var fields = TableSchema.Fields(table);
            foreach (var probe in clauses.SelectMany(c => c.Probes))
                if (Array.IndexOf(fields, probe.Column) < 0) throw new ArgumentException($"{probe.Column} is not a column the {table} mapper reads", nameof(clauses));
            return new RowPrefilter(table, clauses);
        }

        public override string ToString() => string.Join(" and ", clauses.Select(c => "(" + c + ")"));

        /// <summary>The prefilter for one file's columns; null when it cannot be used there (required columns missing:
        /// every row is then rejected by the mapper, and must be).</summary>
        internal Bound? Bind(TableBinding binding)
        {
            if (binding.Table != Table)
                throw new InvalidOperationException($"a {Table} prefilter cannot read a {binding.Table} file");
            if (binding.Missing.Count > 0) return null;
            // A column the file lacks maps to "": it can never hold a token.
            var bound = clauses
                .Select(c => c.Probes.Select(p => (Index: binding.Columns.IndexOf(p.Column), p.Pattern, p.Exact)).Where(p => p.Index >= 0).ToArray())
                .ToArray();
            var fields = TableSchema.Fields(binding.Table);
            var longs = EvidenceRowMapper.LongFields(binding.Table).Select(f => binding.Index[Array.IndexOf(fields, f)]).Where(i => i >= 0).ToArray();
            var typeName = Encoding.ASCII.GetBytes(binding.Table.ToString());
            return new Bound(bound, binding.Index[0], longs, binding.TypeIndex, typeName);
        }

        /// <summary>Some column of the clause contains some of its tokens.</summary>
        public sealed class Clause
        {
            private Clause(IReadOnlyList<Probe> probes)
            {
                Probes = probes;
            }

            internal IReadOnlyList<Probe> Probes { get; }

            /// <summary>Tokens in ASCII, matched in any letter case; ' ' stands for any ASCII whitespace and '#' for any digit.</summary>
            public static Clause AnyCase(string[] columns, params string[] tokens) => Make(columns, tokens, exact: false);

            /// <summary>Tokens in ASCII, matched byte for byte (for a predicate that is case-sensitive).</summary>
            public static Clause Exact(string[] columns, params string[] tokens) => Make(columns, tokens, exact: true);

            /// <summary>This clause or the other: the probes of both.</summary>
            public Clause Or(Clause other) => new Clause(Probes.Concat(other.Probes).ToArray());

            private static Clause Make(string[] columns, string[] tokens, bool exact)
            {
                foreach (var t in tokens)
                    if (t.Length == 0 || t.Any(ch => ch >= 0x80)) throw new ArgumentException($"token '{t}': ASCII only", nameof(tokens));
                return new Clause(columns.SelectMany(c => tokens.Select(t =>
                    new Probe(c, Encoding.ASCII.GetBytes(exact ? t : t.ToLowerInvariant()), exact))).ToArray());
            }

            public override string ToString() =>
                string.Join(" or ", Probes.Select(p => $"{p.Column} has {(p.Exact ? "exactly " : "")}'{Encoding.ASCII.GetString(p.Pattern)}'"));
        }

        internal sealed class Probe
        {
            public Probe(string column, byte[] pattern, bool exact)
            {
                Column = column; Pattern = pattern; Exact = exact;
            }

            public string Column { get; }
            public byte[] Pattern { get; }
            public bool Exact { get; }
        }

        /// <summary>Raw access to the fields of the row a source has just parsed (UTF-8, as in the file).</summary>
        internal interface IRawRow
        {
            /// <summary>The field's bytes; <paramref name="escaped"/> when they hold CSV's doubled quotes.</summary>
            ReadOnlySpan<byte> Field(int column, out bool escaped);
        }

        internal sealed class Bound
        {
            private readonly (int Column, byte[] Pattern, bool Exact)[][] clauses;
            private readonly int timeIndex;
            private readonly int[] longIndexes;
            private readonly int typeIndex;
            private readonly byte[] typeName;

            public Bound((int, byte[], bool)[][] clauses, int timeIndex, int[] longIndexes, int typeIndex, byte[] typeName)
            {
                this.clauses = clauses;
                this.timeIndex = timeIndex;
                this.longIndexes = longIndexes;
                this.typeIndex = typeIndex;
                this.typeName = typeName;
            }

            /// <summary>True when the row cannot be kept and would have mapped without an error: it may be counted
            /// as filtered without being mapped.</summary>
            [MethodImpl(Hot.Optimize)]
            public bool CanSkip(IRawRow row)
            {
                bool fails = false;
                foreach (var clause in clauses)
                {
                    if (!Holds(row, clause)) { fails = true; break; }
                }
                return fails && WouldMap(row);
            }

            [MethodImpl(Hot.Optimize)]
            private static bool Holds(IRawRow row, (int Column, byte[] Pattern, bool Exact)[] clause)
            {
                int asciiChecked = -1;
                foreach (var (column, pattern, exact) in clause)
                {
                    var field = row.Field(column, out _);
                    if (field.Length == 0) continue;
                    if (exact ? field.IndexOf(pattern) >= 0 : RawText.ContainsIgnoreAsciiCase(field, pattern)) return true;
                    if (!exact && column != asciiChecked)
                    {
                        if (!RawText.IsAscii(field)) return true;
                        asciiChecked = column;
                    }
                }
                return false;
            }

            [MethodImpl(Hot.Optimize)]
            private bool WouldMap(IRawRow row)
            {
                var time = row.Field(timeIndex, out bool escaped);
                if (escaped || !RawText.IsIsoUtcDateTime(time)) return false;
                foreach (int i in longIndexes)
                {
                    var value = row.Field(i, out escaped);
                    if (escaped || !RawText.IsPlainLong(value)) return false;
                }
                if (typeIndex >= 0)
                {
                    var type = row.Field(typeIndex, out escaped);
                    if (escaped || (type.Length > 0 && !RawText.EqualsIgnoreAsciiCase(type, typeName))) return false;
                }
                return true;
            }
        }
    }
}
