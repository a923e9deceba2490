using System;
using System.Collections.Generic;
using System.Text;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// A text held in half the memory when it is ASCII (as JSON from ARM is): its bytes; any other text stays the
    /// string. Each text has one form, so two compacts are equal when their texts are.
    /// </summary>
    internal static class CompactText
    {
        public static object Of(string text)
        {
            if (text.Length == 0) return "";
            foreach (char c in text)
                if (c > 0x7F) return text;
            var bytes = new byte[text.Length];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)text[i];
            return bytes;
        }

        public static string Text(object compact) => compact as string ?? Encoding.ASCII.GetString((byte[])compact);

        public static bool IsEmpty(object compact) => compact is string s && s.Length == 0;

        /// <summary>Compacts compared by their texts (ordinal); a text's string matches its compact too, so that a
        /// dictionary of compacts is searched with the string, and the bytes are made only for a text not found.</summary>
        public sealed class Comparer : IEqualityComparer<object>
        {
            public static readonly Comparer Instance = new Comparer();

            public new bool Equals(object? a, object? b)
            {
                if (a is string s) return b is string t ? string.Equals(s, t, StringComparison.Ordinal) : b is byte[] y && Spells(y, s);
                if (a is byte[] x) return b is byte[] z ? x.AsSpan().SequenceEqual(z) : b is string u && Spells(x, u);
                return false;
            }

            private static bool Spells(byte[] ascii, string text)
            {
                if (ascii.Length != text.Length) return false;
                for (int i = 0; i < ascii.Length; i++)
                    if (ascii[i] != text[i]) return false;
                return true;
            }

            /// <summary>The same for a text's string and its bytes: char by char, each ASCII char being its byte.</summary>
            public int GetHashCode(object compact)
            {
                uint hash = 2166136261;
                if (compact is string s)
                    foreach (char c in s) hash = (hash ^ c) * 16777619;
                else
                    foreach (byte b in (byte[])compact) hash = (hash ^ b) * 16777619;
                return (int)hash;
            }
        }
    }
}
