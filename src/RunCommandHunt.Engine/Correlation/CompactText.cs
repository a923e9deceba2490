using System;
using System.Collections.Generic;
using System.Text;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// A text held in less memory, for the Authorization JSON that every Run Command operation carries (~1 KB, most of
    /// an operation). A text with a <c>"scope":"...</c> value is held as three shared pieces (before the value, the
    /// value, after it): the pieces repeat across operations (one action, a few thousand machines, a few principals and
    /// roles) while their combinations do not. Any other ASCII text is held as its bytes (half a string), the rest as
    /// the string. Each text has one form, so two compacts are equal exactly when their texts are.
    /// </summary>
    internal static class CompactText
    {
        private const string ScopeName = "\"scope\":\"";

        /// <summary>A text cut around its scope value; the pieces come from the caller's shared copies.</summary>
        internal sealed class Pieces
        {
            public Pieces(string before, string scope, string after) { Before = before; Scope = scope; After = after; }
            public readonly string Before, Scope, After;
            public int Length => Before.Length + Scope.Length + After.Length;
        }

        /// <param name="share">Gives the one copy of a piece kept (the caller's table of texts).</param>
        public static object Of(string text, Func<string, string> share)
        {
            if (text.Length == 0) return "";
            int name = text.IndexOf(ScopeName, StringComparison.Ordinal);
            if (name >= 0)
            {
                int start = name + ScopeName.Length;
                int end = text.IndexOf('"', start);
                // A value with an escape is not cut (its end would need the JSON read): it takes the plain forms below.
                if (end > start && text.IndexOf('\\', start, end - start) < 0)
                    return new Pieces(share(text.Substring(0, start)), share(text.Substring(start, end - start)), share(text.Substring(end)));
            }
            foreach (char c in text)
                if (c > 0x7F) return text;
            var bytes = new byte[text.Length];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)text[i];
            return bytes;
        }

        public static string Text(object compact) => compact switch
        {
            string s => s,
            Pieces p => p.Before + p.Scope + p.After,
            _ => Encoding.ASCII.GetString((byte[])compact),
        };

        public static bool IsEmpty(object compact) => compact is string s && s.Length == 0;

        /// <summary>Compacts compared by their texts (ordinal); a text's string matches its compact too, so that a
        /// dictionary of compacts is searched with the string, and the compact is made only for a text not found.</summary>
        public sealed class Comparer : IEqualityComparer<object>
        {
            public static readonly Comparer Instance = new Comparer();

            public new bool Equals(object? a, object? b)
            {
                if (a == null || b == null) return a == b;
                if (ReferenceEquals(a, b)) return true;
                if (a is Pieces p && b is Pieces q)
                    return string.Equals(p.Before, q.Before, StringComparison.Ordinal) && string.Equals(p.Scope, q.Scope, StringComparison.Ordinal)
                        && string.Equals(p.After, q.After, StringComparison.Ordinal);
                if (a is byte[] x && b is byte[] y) return x.AsSpan().SequenceEqual(y);
                if (b is string) (a, b) = (b, a);
                if (!(a is string s)) return false; // two forms that differ: their texts do
                return b switch
                {
                    string t => string.Equals(s, t, StringComparison.Ordinal),
                    Pieces r => s.Length == r.Length && string.CompareOrdinal(s, 0, r.Before, 0, r.Before.Length) == 0
                        && string.CompareOrdinal(s, r.Before.Length, r.Scope, 0, r.Scope.Length) == 0
                        && string.CompareOrdinal(s, r.Before.Length + r.Scope.Length, r.After, 0, r.After.Length) == 0,
                    byte[] z => Spells(z, s),
                    _ => false,
                };
            }

            private static bool Spells(byte[] ascii, string text)
            {
                if (ascii.Length != text.Length) return false;
                for (int i = 0; i < ascii.Length; i++)
                    if (ascii[i] != text[i]) return false;
                return true;
            }

            /// <summary>The same for a text's string and its compact: char by char, each ASCII char being its byte.</summary>
            public int GetHashCode(object compact)
            {
                uint hash = 2166136261;
                switch (compact)
                {
                    case string s:
                        hash = Add(hash, s);
                        break;
                    case Pieces p:
                        hash = Add(Add(Add(hash, p.Before), p.Scope), p.After);
                        break;
                    default:
                        foreach (byte b in (byte[])compact) hash = (hash ^ b) * 16777619;
                        break;
                }
                return (int)hash;
            }

            private static uint Add(uint hash, string s)
            {
                foreach (char c in s) hash = (hash ^ c) * 16777619;
                return hash;
            }
        }
    }
}
