using System;
using System.Globalization;
using System.Text;
using RunCommandHunt.Engine.Sources;

namespace RunCommandHunt.Engine.Kql
{
    /// <summary>A value that cannot be spliced into KQL safely. Names the value (escaped for display) and why.</summary>
    public sealed class KqlLiteralException : ArgumentException
    {
        public KqlLiteralException(string message, string? value, string parameterName)
            : base(message, parameterName)
        {
            Value = value;
        }

        /// <summary>The rejected value as given.</summary>
        public string? Value { get; }
    }

    /// <summary>
    /// Every value that goes into a query passes through here. Strings become double-quoted literals with the escapes
    /// Kusto's own parser decodes (Kusto.Language KustoFacts: \" \\ \n \r \t); other control characters, lone surrogates
    /// and NUL are refused rather than guessed at, so a value can never end the literal or start a new operator.
    /// </summary>
    public static class KqlLiteral
    {
        /// <summary>Longest value we splice; a device or VM name is far shorter, a longer one is not data we expect.</summary>
        public const int MaxLength = 4096;

        /// <summary>A double-quoted string literal: <c>"a\"b"</c>.</summary>
        public static string String(string value, string parameterName = "value")
        {
            if (value == null) throw new KqlLiteralException("A null string cannot be spliced into KQL.", null, parameterName);
            Validate(value, parameterName);
            var sb = new StringBuilder(value.Length + 2);
            sb.Append('"');
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default: sb.Append(c); break;
                }
            }
            sb.Append('"');
            return sb.ToString();
        }

        /// <summary>
        /// An obfuscated verbatim literal, <c>h@"..."</c>: Kusto hides it in stored query text. Verbatim literals have no
        /// escapes (a quote is doubled) and cannot hold a line break, so those are refused.
        /// </summary>
        public static string ObfuscatedVerbatim(string value, string parameterName = "value")
        {
            if (value == null) throw new KqlLiteralException("A null string cannot be spliced into KQL.", null, parameterName);
            Validate(value, parameterName);
            if (value.IndexOf('\n') >= 0 || value.IndexOf('\r') >= 0)
                throw new KqlLiteralException($"A verbatim KQL literal cannot hold a line break: {Display(value)}.", value, parameterName);
            return "h@\"" + value.Replace("\"", "\"\"") + "\"";
        }

        /// <summary>
        /// <c>datetime(yyyy-MM-ddTHH:mm:ss.fffffffZ)</c>, full 100-ns precision so a window boundary in the query is the
        /// same instant as in the request's timespan. Local times are converted; Unspecified is taken as UTC (the engine's
        /// convention).
        /// </summary>
        public static string DateTime(DateTime value) => "datetime(" + RoundTrip(value) + ")";

        /// <summary>ISO 8601 round-trip UTC text with 7 fraction digits: 2024-05-01T10:00:00.0000000Z.</summary>
        public static string RoundTrip(DateTime value) => QueryWindow.Format(value);

        /// <summary>A timespan literal in 100-ns ticks (<c>72000000000tick</c>): exact and culture-free.</summary>
        public static string TimeSpan(TimeSpan value) =>
            value.Ticks.ToString(CultureInfo.InvariantCulture) + "tick";

        /// <summary>A long literal.</summary>
        public static string Long(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A GUID as a string literal (CorrelationId, workspace and tenant ids are string columns). Validated.</summary>
        public static string GuidString(string value, string parameterName = "value") =>
            String(NormalizeGuid(value, parameterName), parameterName);

        /// <summary>A <c>guid(...)</c> literal, for guid-typed columns.</summary>
        public static string Guid(string value, string parameterName = "value") =>
            "guid(" + NormalizeGuid(value, parameterName) + ")";

        /// <summary>The canonical lower-case "D" form of a GUID, or a KqlLiteralException naming the value.</summary>
        public static string NormalizeGuid(string value, string parameterName = "value")
        {
            if (value == null || !System.Guid.TryParseExact(value.Trim(), "D", out var g))
                throw new KqlLiteralException(
                    $"{Display(value)} is not a GUID (expected the form 00000000-0000-0000-0000-000000000000).", value, parameterName);
            return g.ToString("D");
        }

        /// <summary>A parenthesised, comma-separated list of string literals for <c>in</c> / <c>in~</c>.</summary>
        public static string StringList(System.Collections.Generic.IEnumerable<string> values, string parameterName = "values")
        {
            var sb = new StringBuilder("(");
            bool first = true;
            foreach (var v in values)
            {
                if (!first) sb.Append(", ");
                sb.Append(String(v, parameterName));
                first = false;
            }
            if (first) throw new KqlLiteralException("An empty list cannot be spliced into KQL (in () is a syntax error).", null, parameterName);
            return sb.Append(')').ToString();
        }

        private static void Validate(string value, string parameterName)
        {
            if (value.Length > MaxLength)
                throw new KqlLiteralException(
                    $"A {value.Length}-character value is longer than the {MaxLength} characters a KQL literal may take here: {Display(value)}.",
                    value, parameterName);
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (char.IsHighSurrogate(c))
                {
                    if (i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
                    throw Bad(value, i, "a lone UTF-16 surrogate (not encodable as UTF-8)", parameterName);
                }
                if (char.IsLowSurrogate(c)) throw Bad(value, i, "a lone UTF-16 surrogate (not encodable as UTF-8)", parameterName);
                if (c == '\n' || c == '\r' || c == '\t') continue;
                if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || c == '\u2028' || c == '\u2029')
                    throw Bad(value, i, $"control character U+{(int)c:X4}", parameterName);
            }
        }

        private static KqlLiteralException Bad(string value, int index, string what, string parameterName) =>
            new KqlLiteralException($"Value {Display(value)} has {what} at position {index + 1}; it cannot be spliced into KQL.", value, parameterName);

        /// <summary>A value made printable for a message: control characters shown as \uXXXX, long values cut.</summary>
        public static string Display(string? value)
        {
            if (value == null) return "(null)";
            var sb = new StringBuilder("'");
            int n = Math.Min(value.Length, 120);
            for (int i = 0; i < n; i++)
            {
                char c = value[i];
                if (c < 0x20 || c == 0x7F || char.IsSurrogate(c) || (c >= 0x80 && c <= 0x9F) || c == '\u2028' || c == '\u2029')
                    sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                else sb.Append(c);
            }
            if (value.Length > n) sb.Append("...");
            return sb.Append('\'').ToString();
        }
    }
}
