using System;
using System.Runtime.CompilerServices;
using System.Text;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>
    /// Strings of UTF-8 field bytes, the same string for the same bytes while it stays in the pool: the records a hunt
    /// keeps share their device names, command lines, Authorization JSON and statuses instead of holding a copy each,
    /// so that memory follows the distinct values, not the rows. Direct-mapped and bounded (a newer value takes an
    /// older one's slot); fields longer than <see cref="MaxBytes"/> are not pooled. A slot holds its bytes and string
    /// as one object, so that a pool shared by mistake still never pairs a value with another's bytes.
    /// </summary>
    internal sealed class StringPool
    {
        public const int MaxBytes = 1024;
        private static readonly Encoding Utf8 = new UTF8Encoding(false, false);
        private readonly Entry?[] slots;

        /// <param name="slots">A power of two.</param>
        public StringPool(int slots = 4096)
        {
            if (slots <= 0 || (slots & (slots - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(slots), slots, "a power of two");
            this.slots = new Entry?[slots];
        }

        private sealed class Entry
        {
            public Entry(byte[] key, string value) { Key = key; Value = value; }
            public readonly byte[] Key;
            public readonly string Value;
        }

        /// <param name="escaped">The bytes hold CSV's doubled quotes, which the string has once.</param>
        [MethodImpl(Formats.Hot.Optimize)]
        public string Get(byte[] buffer, int start, int length, bool escaped)
        {
            if (length <= 0) return "";
            var bytes = new ReadOnlySpan<byte>(buffer, start, length);
            if (length > MaxBytes) return Decode(buffer, start, length, escaped);
            uint hash = 2166136261;
            foreach (byte b in bytes) hash = (hash ^ b) * 16777619;
            int slot = (int)(hash & (uint)(slots.Length - 1));
            var entry = slots[slot];
            if (entry != null && bytes.SequenceEqual(entry.Key)) return entry.Value;
            var text = Decode(buffer, start, length, escaped);
            slots[slot] = new Entry(bytes.ToArray(), text);
            return text;
        }

        private static string Decode(byte[] buffer, int start, int length, bool escaped)
        {
            var text = Utf8.GetString(buffer, start, length);
            return escaped ? text.Replace("\"\"", "\"") : text;
        }
    }
}
