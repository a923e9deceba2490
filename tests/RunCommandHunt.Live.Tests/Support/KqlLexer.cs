using System;
using System.Collections.Generic;
using System.Text;

namespace RunCommandHunt.Live.Tests.Support
{
    /// <summary>
    /// An independent reading of KQL text, as Kusto's parser lexes it (Kusto.Language KustoFacts.GetStringLiteralValue):
    /// quoted literals with backslash escapes, verbatim @"" literals with doubled quotes, h/H obfuscation prefixes,
    /// // comments to end of line. Used to prove a spliced value stays inside its literal.
    /// </summary>
    public static class KqlLexer
    {
        public enum Kind { Code, Literal, Comment }

        public sealed class Segment
        {
            public Segment(Kind kind, string text, string? value) { Kind = kind; Text = text; Value = value; }
            public Kind Kind { get; }
            public string Text { get; }
            /// <summary>The decoded value of a literal.</summary>
            public string? Value { get; }
            public override string ToString() => Kind + ":" + Text;
        }

        public static List<Segment> Tokenize(string query)
        {
            var segments = new List<Segment>();
            var code = new StringBuilder();
            int i = 0;
            void FlushCode()
            {
                if (code.Length > 0) segments.Add(new Segment(Kind.Code, code.ToString(), null));
                code.Clear();
            }
            while (i < query.Length)
            {
                char c = query[i];
                if (c == '/' && i + 1 < query.Length && query[i + 1] == '/')
                {
                    FlushCode();
                    int end = query.IndexOf('\n', i);
                    if (end < 0) end = query.Length;
                    segments.Add(new Segment(Kind.Comment, query.Substring(i, end - i), null));
                    i = end;
                    continue;
                }
                int start = i;
                bool obfuscated = (c == 'h' || c == 'H') && i + 1 < query.Length && (query[i + 1] == '"' || query[i + 1] == '\'' || query[i + 1] == '@')
                    && (i == 0 || !char.IsLetterOrDigit(query[i - 1]));
                int j = obfuscated ? i + 1 : i;
                bool verbatim = j < query.Length && query[j] == '@' && j + 1 < query.Length && (query[j + 1] == '"' || query[j + 1] == '\'');
                if (verbatim) j++;
                if (j < query.Length && (query[j] == '"' || query[j] == '\'') && (obfuscated || verbatim || j == i))
                {
                    FlushCode();
                    char quote = query[j];
                    var value = new StringBuilder();
                    int k = j + 1;
                    while (true)
                    {
                        if (k >= query.Length) throw new FormatException($"unterminated literal starting at {start}");
                        char d = query[k];
                        if (d == '\n' || d == '\r') throw new FormatException($"line break inside the literal starting at {start}");
                        if (verbatim)
                        {
                            if (d == quote)
                            {
                                if (k + 1 < query.Length && query[k + 1] == quote) { value.Append(quote); k += 2; continue; }
                                k++;
                                break;
                            }
                            value.Append(d);
                            k++;
                        }
                        else
                        {
                            if (d == '\\')
                            {
                                if (k + 1 >= query.Length) throw new FormatException("dangling backslash");
                                char e = query[k + 1];
                                switch (e)
                                {
                                    case '\\': value.Append('\\'); break;
                                    case '"': value.Append('"'); break;
                                    case '\'': value.Append('\''); break;
                                    case 'n': value.Append('\n'); break;
                                    case 'r': value.Append('\r'); break;
                                    case 't': value.Append('\t'); break;
                                    default: throw new FormatException($"escape \\{e} is not one KqlLiteral should emit");
                                }
                                k += 2;
                                continue;
                            }
                            if (d == quote) { k++; break; }
                            value.Append(d);
                            k++;
                        }
                    }
                    segments.Add(new Segment(Kind.Literal, query.Substring(start, k - start), value.ToString()));
                    i = k;
                    continue;
                }
                code.Append(c);
                i++;
            }
            FlushCode();
            return segments;
        }

        /// <summary>Decodes one literal that must span the whole text.</summary>
        public static string DecodeSingle(string literal)
        {
            var segments = Tokenize(literal);
            if (segments.Count != 1 || segments[0].Kind != Kind.Literal)
                throw new FormatException($"'{literal}' is not exactly one literal ({segments.Count} segments)");
            return segments[0].Value!;
        }

        /// <summary>The query text outside literals and comments.</summary>
        public static string CodeOnly(string query)
        {
            var sb = new StringBuilder();
            foreach (var s in Tokenize(query))
                if (s.Kind == Kind.Code) sb.Append(s.Text); else if (s.Kind == Kind.Literal) sb.Append("<lit>");
            return sb.ToString();
        }
    }
}
