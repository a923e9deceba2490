using System;
using System.Collections.Generic;

namespace RunCommandHunt.Engine.Readers
{
    /// <summary>
    /// The columns of a file or of a row set: name -> index. A name matches exactly first, then
    /// case-insensitively. Portal export names ("TimeGenerated [UTC]") match without the " [UTC]" suffix,
    /// and Defender's "Timestamp" stands for TimeGenerated when there is no TimeGenerated column.
    /// </summary>
    public sealed class ColumnSet
    {
        private const string UtcSuffix = " [UTC]";
        private readonly string[] names;
        private readonly Dictionary<string, int> exact = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly Dictionary<string, int> ignoreCase = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private readonly TableBinding?[] bindings = new TableBinding?[5];

        public ColumnSet(IReadOnlyList<string> names)
        {
            if (names == null) throw new ArgumentNullException(nameof(names));
            this.names = new string[names.Count];
            for (int i = 0; i < names.Count; i++)
            {
                string name = names[i] ?? "";
                this.names[i] = name;
                string key = Normalize(name);
                if (!exact.ContainsKey(key)) exact.Add(key, i);
                if (!ignoreCase.ContainsKey(key)) ignoreCase.Add(key, i);
                else if (key.Length > 0) duplicates.Add(name);
            }
        }

        private readonly List<string> duplicates = new List<string>();

        /// <summary>Names that appear more than once (any case); the first of each is the one read.</summary>
        public IReadOnlyList<string> Duplicates => duplicates;

        /// <summary>The names as the source wrote them.</summary>
        public IReadOnlyList<string> Names => names;

        public int Count => names.Length;

        public string this[int index] => names[index];

        /// <summary>Index of a column by its Sentinel name (aliases applied), or -1.</summary>
        public int IndexOf(string name)
        {
            int i = Find(name);
            if (i < 0 && string.Equals(name, TableSchema.TimeGenerated, StringComparison.OrdinalIgnoreCase))
                i = Find(TableSchema.Timestamp);
            return i;
        }

        public bool Contains(string name) => IndexOf(name) >= 0;

        /// <summary>Index of a column by the name a JSON row object uses for it (no aliases), or -1.</summary>
        internal int IndexOfRaw(string name)
        {
            return Find(name);
        }

        internal TableBinding GetBinding(EvidenceTable table)
        {
            int k = (int)table;
            var b = bindings[k];
            if (b == null)
            {
                // A benign race: two threads may build the same binding.
                b = new TableBinding(this, table);
                bindings[k] = b;
            }
            return b;
        }

        public override string ToString() => string.Join(", ", names);

        private int Find(string name)
        {
            if (exact.TryGetValue(name, out int i)) return i;
            if (ignoreCase.TryGetValue(name, out i)) return i;
            string key = Normalize(name);
            if (!ReferenceEquals(key, name))
            {
                if (exact.TryGetValue(key, out i)) return i;
                if (ignoreCase.TryGetValue(key, out i)) return i;
            }
            return -1;
        }

        private static string Normalize(string name)
        {
            string n = name.Trim().TrimStart('\uFEFF');
            if (n.EndsWith(UtcSuffix, StringComparison.OrdinalIgnoreCase))
                n = n.Substring(0, n.Length - UtcSuffix.Length).TrimEnd();
            return n == name ? name : n;
        }
    }
}
