using System;
using System.Runtime.CompilerServices;
using System.Text;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>
    /// Strings of UTF-8 field bytes, the same string for the same bytes while it stays in the pool: the records a hunt
    /// keeps share their device names, command lines and statuses instead of holding a copy each, so that memory
    /// follows the distinct values, not the rows. Direct-mapped and bounded (a newer value takes an older one's slot);
    /// fields longer than <see cref="MaxBytes"/> are not pooled. A slot holds only its string, compared with the
    /// field's bytes where they are ASCII (else with the field decoded): a copy of the bytes beside each string doubled
    /// what a miss cost, and kept it alive as long as the slot, long enough for the collector to promote it.
    /// </summary>
    internal sealed class StringPool
    {
        public const int MaxBytes = 1024;
        private static readonly Encoding Utf8 = new UTF8Encoding(false, false);
        private readonly string?[] slots;

        /// <param name="slots">A power of two.</param>
        public StringPool(int slots = 4096)
        {
            if (slots <= 0 || (slots & (slots - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(slots), slots, "a power of two");
            this.slots = new string?[slots];
        }

        /// <param name="escaped">The bytes hold CSV's doubled quotes, which the string has once.</param>
        [MethodImpl(Formats.Hot.Optimize)]
        public string Get(byte[] buffer, int start, int length, bool escaped)
        {
            if (length <= 0) return "";
            if (length > MaxBytes) return Decode(buffer, start, length, escaped);
            var bytes = new ReadOnlySpan<byte>(buffer, start, length);
            uint hash = 2166136261;
            foreach (byte b in bytes) hash = (hash ^ b) * 16777619;
            int slot = (int)(hash & (uint)(slots.Length - 1));
            // One read of the slot: another thread's write replaces the reference whole, never half of it.
            var held = slots[slot];
            if (held != null && AsciiEquals(bytes, escaped, held)) return held;
            var text = Decode(buffer, start, length, escaped);
            if (held != null && string.Equals(held, text, StringComparison.Ordinal)) return held;
            slots[slot] = text;
            return text;
        }

        /// <summary>The bytes are ASCII and spell the text, a doubled quote as one when escaped (a byte over 0x7F is
        /// part of a longer UTF-8 sequence, whose char is not the byte: those fields are compared decoded).</summary>
        [MethodImpl(Formats.Hot.Optimize)]
        private static bool AsciiEquals(ReadOnlySpan<byte> bytes, bool escaped, string text)
        {
            if (!escaped && bytes.Length != text.Length) return false;
            int j = 0;
            for (int i = 0; i < bytes.Length; i++, j++)
            {
                byte b = bytes[i];
                if (b > 0x7F || j == text.Length || b != text[j]) return false;
                // As Decode's Replace("\"\"", "\""): a pair read left to right is one quote, a quote alone stays.
                if (escaped && b == (byte)'"' && i + 1 < bytes.Length && bytes[i + 1] == (byte)'"') i++;
            }
            return j == text.Length;
        }

        internal static string Decode(byte[] buffer, int start, int length, bool escaped)
        {
            var text = Utf8.GetString(buffer, start, length);
            return escaped ? text.Replace("\"\"", "\"") : text;
        }
    }
}
