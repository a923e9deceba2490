using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>
    /// Tests on a field's UTF-8 bytes, for rows that are passed over before they become strings. Each test may
    /// say "no" where the full parse would say "yes" (the row then takes the full path), never the reverse.
    /// </summary>
    internal static class RawText
    {
        /// <summary>Pattern byte: one ASCII whitespace byte (what .NET's \s matches in ASCII, and more).</summary>
        public const byte AnySpace = (byte)' ';
        /// <summary>Pattern byte: one ASCII digit.</summary>
        public const byte AnyDigit = (byte)'#';

        /// <summary>Whether <paramref name="text"/> contains <paramref name="lowerPattern"/> (lower-case ASCII), ASCII
        /// letters in any case; in the pattern ' ' stands for any ASCII whitespace and '#' for any digit.</summary>
        [MethodImpl(Hot.Optimize)]
        public static bool ContainsIgnoreAsciiCase(ReadOnlySpan<byte> text, byte[] lowerPattern)
        {
            int n = lowerPattern.Length;
            if (n == 0) return true;
            // Search for the first literal byte of the pattern, then match the whole pattern around it.
            int a = 0;
            while (a < n && IsClass(lowerPattern[a])) a++;
            if (a == n) return ContainsAt(text, lowerPattern);
            if (a + 1 < n && !IsClass(lowerPattern[a + 1])) return ContainsByPair(text, lowerPattern, a);
            byte anchor = lowerPattern[a];
            byte anchorUpper = IsLower(anchor) ? (byte)(anchor - 0x20) : anchor;
            int from = a;
            while (text.Length - from >= n - a)
            {
                var rest = text.Slice(from, text.Length - from - (n - a) + 1);
                int k = anchor == anchorUpper ? rest.IndexOf(anchor) : rest.IndexOfAny(anchor, anchorUpper);
                if (k < 0) return false;
                int at = from + k - a;
                int j = 0;
                while (j < n && Matches(lowerPattern[j], text[at + j])) j++;
                if (j == n) return true;
                from = from + k + 1;
            }
            return false;
        }

        /// <summary>
        /// As <see cref="ContainsIgnoreAsciiCase"/>, anchored on the two literal bytes at <paramref name="a"/>: a pair
        /// is rarer than its first byte ("-f" against every '-' of a command line), and one vectorised pass finds it
        /// in every letter case.
        /// </summary>
        [MethodImpl(Hot.Optimize)]
        private static bool ContainsByPair(ReadOnlySpan<byte> text, byte[] lowerPattern, int a)
        {
            int n = lowerPattern.Length;
            // The pair can start at a .. text.Length - n + a (the whole pattern must fit around it).
            int lastStart = text.Length - n + a;
            int from = a;
            while (from <= lastStart)
            {
                int k = IndexOfPairIgnoreCase(text.Slice(0, lastStart + 2), from, lowerPattern[a], lowerPattern[a + 1]);
                if (k < 0) return false;
                int at = k - a;
                int j = 0;
                while (j < n && Matches(lowerPattern[j], text[at + j])) j++;
                if (j == n) return true;
                from = k + 1;
            }
            return false;
        }

        /// <summary>
        /// The first i >= <paramref name="from"/> where text[i], text[i + 1] are <paramref name="x"/>,
        /// <paramref name="y"/> (lower-case ASCII) in any letter case, or -1. Vector&lt;byte&gt; compares a register of
        /// positions at once (accelerated on .NET and on .NET Framework's 64-bit JIT); a letter is matched in both
        /// cases by setting its 0x20 bit first, which maps no other byte onto a lower-case letter.
        /// </summary>
        [MethodImpl(Hot.Optimize)]
        internal static int IndexOfPairIgnoreCase(ReadOnlySpan<byte> text, int from, byte x, byte y)
        {
            byte foldX = IsLower(x) ? (byte)0x20 : (byte)0, foldY = IsLower(y) ? (byte)0x20 : (byte)0;
            int i = from;
            int width = Vector<byte>.Count;
            if (Vector.IsHardwareAccelerated && text.Length - 1 - i >= width)
            {
                var vx = new Vector<byte>(x);
                var vy = new Vector<byte>(y);
                var fx = new Vector<byte>(foldX);
                var fy = new Vector<byte>(foldY);
                ref byte start = ref MemoryMarshal.GetReference(text);
                // Pairs starting at i .. i + width - 1: the second byte's load reaches text[i + width].
                for (; i + width < text.Length; i += width)
                {
                    var first = Unsafe.ReadUnaligned<Vector<byte>>(ref Unsafe.Add(ref start, i));
                    var second = Unsafe.ReadUnaligned<Vector<byte>>(ref Unsafe.Add(ref start, i + 1));
                    var hit = Vector.Equals(first | fx, vx) & Vector.Equals(second | fy, vy);
                    if (hit != Vector<byte>.Zero)
                    {
                        for (int k = 0; k < width; k++)
                            if (hit[k] != 0) return i + k;
                    }
                }
            }
            for (; i + 1 < text.Length; i++)
                if ((text[i] | foldX) == x && (text[i + 1] | foldY) == y) return i;
            return -1;
        }

        /// <summary>The pattern tried at every position: for patterns of classes only.</summary>
        [MethodImpl(Hot.Optimize)]
        private static bool ContainsAt(ReadOnlySpan<byte> text, byte[] pattern)
        {
            for (int at = 0; at + pattern.Length <= text.Length; at++)
            {
                int j = 0;
                while (j < pattern.Length && Matches(pattern[j], text[at + j])) j++;
                if (j == pattern.Length) return true;
            }
            return false;
        }

        private static bool IsClass(byte p) => p == AnySpace || p == AnyDigit;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool Matches(byte pattern, byte c)
        {
            if (pattern == AnySpace) return c == (byte)' ' || (uint)(c - 0x09) <= 0x0D - 0x09 || (uint)(c - 0x1C) <= 0x1F - 0x1C;
            if (pattern == AnyDigit) return (uint)(c - '0') <= 9;
            return Lower(c) == pattern;
        }

        [MethodImpl(Hot.Optimize)]
        public static bool EqualsIgnoreAsciiCase(ReadOnlySpan<byte> text, byte[] ascii)
        {
            if (text.Length != ascii.Length) return false;
            for (int i = 0; i < text.Length; i++)
                if (Lower(text[i]) != Lower(ascii[i])) return false;
            return true;
        }

        [MethodImpl(Hot.Optimize)]
        public static bool IsAscii(ReadOnlySpan<byte> text)
        {
            int i = 0;
            for (; i + 8 <= text.Length; i += 8)
                if ((MemoryMarshal.Read<ulong>(text.Slice(i)) & 0x8080808080808080UL) != 0) return false;
            for (; i < text.Length; i++)
                if (text[i] >= 0x80) return false;
            return true;
        }

        /// <summary>yyyy-MM-ddTHH:mm:ss[.f+]Z with a real date and time: what Log Analytics and Defender write, and a
        /// form <see cref="EvidenceValues.TryParseDateTime"/> accepts.</summary>
        [MethodImpl(Hot.Optimize)]
        public static bool IsIsoUtcDateTime(ReadOnlySpan<byte> t)
        {
            if (t.Length < 20) return false;
            if (!Digits(t, 0, 4, out int year) || t[4] != (byte)'-' || !Digits(t, 5, 2, out int month) || t[7] != (byte)'-'
                || !Digits(t, 8, 2, out int day) || (t[10] | 0x20) != (byte)'t' || !Digits(t, 11, 2, out int hour) || t[13] != (byte)':'
                || !Digits(t, 14, 2, out int minute) || t[16] != (byte)':' || !Digits(t, 17, 2, out int second))
                return false;
            int i = 19;
            if (t[i] == (byte)'.')
            {
                int start = ++i;
                while (i < t.Length && (uint)(t[i] - '0') <= 9) i++;
                if (i == start) return false;
            }
            if (i != t.Length - 1 || (t[i] | 0x20) != (byte)'z') return false;
            return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
                && hour <= 23 && minute <= 59 && second <= 59;
        }

        /// <summary>Empty, or an optional sign and 1 to 18 digits: a long <see cref="EvidenceValues.TryParseLong"/> accepts.</summary>
        [MethodImpl(Hot.Optimize)]
        public static bool IsPlainLong(ReadOnlySpan<byte> t)
        {
            if (t.Length == 0) return true;
            int i = t[0] == (byte)'-' || t[0] == (byte)'+' ? 1 : 0;
            if (i == t.Length || t.Length - i > 18) return false;
            for (; i < t.Length; i++)
                if ((uint)(t[i] - '0') > 9) return false;
            return true;
        }

        private static bool Digits(ReadOnlySpan<byte> t, int at, int count, out int value)
        {
            value = 0;
            for (int k = at; k < at + count; k++)
            {
                uint d = (uint)(t[k] - '0');
                if (d > 9) return false;
                value = value * 10 + (int)d;
            }
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool IsLower(byte c) => (uint)(c - 'a') <= 'z' - 'a';

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static byte Lower(byte c) => (uint)(c - 'A') <= 'Z' - 'A' ? (byte)(c | 0x20) : c;
    }
}
