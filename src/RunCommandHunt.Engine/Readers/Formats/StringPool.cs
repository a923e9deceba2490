using System;
using System.Runtime.CompilerServices;
using System.Text;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>
    /// Strings of UTF-8 field bytes, the same string for the same bytes while it stays in the pool: the records a hunt
    /// keeps share their device names, command lines, Authorization JSON and statuses instead of holding a copy each,
    /// so that memory follows the distinct values, not the rows. Direct-mapped and bounded (a newer value takes an
    /// older one's slot); fields longer than <see cref="MaxBytes"/> are not pooled.
    /// </summary>
    internal sealed class StringPool
    {
        public const int MaxBytes = 1024;
        private const int Slots = 4096;
        private static readonly Encoding Utf8 = new UTF8Encoding(false, false);
        private readonly byte[]?[] keys = new byte[Slots][];
        private readonly string?[] values = new string?[Slots];

        /// <param name="escaped">The bytes hold CSV's doubled quotes, which the string has once.</param>
        [MethodImpl(Formats.Hot.Optimize)]
        public string Get(byte[] buffer, int start, int length, bool escaped)
        {
            if (length <= 0) return "";
            var bytes = new ReadOnlySpan<byte>(buffer, start, length);
            if (length > MaxBytes) return Decode(buffer, start, length, escaped);
            uint hash = 2166136261;
            foreach (byte b in bytes) hash = (hash ^ b) * 16777619;
            int slot = (int)(hash & (Slots - 1));
            var key = keys[slot];
            if (key != null && bytes.SequenceEqual(key)) return values[slot]!;
            var text = Decode(buffer, start, length, escaped);
            keys[slot] = bytes.ToArray();
            values[slot] = text;
            return text;
        }

        private static string Decode(byte[] buffer, int start, int length, bool escaped)
        {
            var text = Utf8.GetString(buffer, start, length);
            return escaped ? text.Replace("\"\"", "\"") : text;
        }
    }
}
