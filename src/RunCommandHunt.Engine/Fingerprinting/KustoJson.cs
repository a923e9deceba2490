using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RunCommandHunt.Engine.Fingerprinting
{
    /// <summary>
    /// Kusto's <c>tostring(dynamic)</c>: compact JSON, no whitespace, non-ASCII not escaped, minimal RFC 8259 escaping
    /// (domain.md A.8). The fingerprint hashes exactly this text, so it must match byte for byte; the readers use the same
    /// rules for dynamic columns that arrive as nested JSON.
    /// </summary>
    public static class KustoJson
    {
        public static string StringArray(IReadOnlyList<string> items)
        {
            var sb = new StringBuilder(2 + items.Count * 16);
            sb.Append('[');
            for (int i = 0; i < items.Count; i++)
            {
                if (i > 0) sb.Append(',');
                AppendString(sb, items[i]);
            }
            sb.Append(']');
            return sb.ToString();
        }

        public static void AppendString(StringBuilder sb, string s)
        {
            sb.Append('"');
            int run = 0;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c >= 0x20 && c != '"' && c != '\\') continue;
                if (i > run) sb.Append(s, run, i - run);
                run = i + 1;
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default: sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                }
            }
            if (s.Length > run) sb.Append(s, run, s.Length - run);
            sb.Append('"');
        }

        /// <summary><c>tostring(dynamic)</c> of any value: a string as it is, numbers and booleans as their JSON text,
        /// objects and arrays as compact JSON, null as "".</summary>
        public static string ToKustoString(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String: return StringOf(e);
                case JsonValueKind.Object:
                case JsonValueKind.Array: return Compact(e);
                case JsonValueKind.Null:
                case JsonValueKind.Undefined: return "";
                default: return e.GetRawText();
            }
        }

        /// <summary>A string value; invalid UTF-8 in it (an ANSI byte in a JSON export) reads as U+FFFD instead of
        /// failing the whole document.</summary>
        public static string StringOf(JsonElement e)
        {
            try { return e.GetString() ?? ""; }
            catch (System.InvalidOperationException) { return "\uFFFD"; }
        }

        /// <summary>A property name, with the same care as <see cref="StringOf"/>.</summary>
        public static string NameOf(JsonProperty p)
        {
            try { return p.Name; }
            catch (System.InvalidOperationException) { return "\uFFFD"; }
        }

        /// <summary>Compact re-serialisation of any JSON value (nested dynamic columns, non-string properties).</summary>
        public static string Compact(JsonElement e)
        {
            var sb = new StringBuilder();
            Write(sb, e);
            return sb.ToString();
        }

        private static void Write(StringBuilder sb, JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    sb.Append('{');
                    bool first = true;
                    foreach (var p in e.EnumerateObject())
                    {
                        if (!first) sb.Append(',');
                        first = false;
                        AppendString(sb, NameOf(p));
                        sb.Append(':');
                        Write(sb, p.Value);
                    }
                    sb.Append('}');
                    break;
                case JsonValueKind.Array:
                    sb.Append('[');
                    bool firstItem = true;
                    foreach (var item in e.EnumerateArray())
                    {
                        if (!firstItem) sb.Append(',');
                        firstItem = false;
                        Write(sb, item);
                    }
                    sb.Append(']');
                    break;
                case JsonValueKind.String:
                    AppendString(sb, StringOf(e));
                    break;
                case JsonValueKind.Undefined:
                    sb.Append("null");
                    break;
                default:
                    sb.Append(e.GetRawText());
                    break;
            }
        }
    }
}
