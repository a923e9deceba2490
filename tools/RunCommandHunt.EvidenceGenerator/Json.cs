using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RunCommandHunt.EvidenceGenerator
{
    /// <summary>Compact JSON text as Kusto's tostring(dynamic) writes it: minimal RFC 8259 escaping,
    /// non-ASCII and '/' left as they are (domain.md A.8).</summary>
    internal static class JsonText
    {
        public static void AppendString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }

        public static string Quote(string s)
        {
            var sb = new StringBuilder(s.Length + 2);
            AppendString(sb, s);
            return sb.ToString();
        }

        public static string Array(IEnumerable<string> items)
        {
            var sb = new StringBuilder("[");
            bool first = true;
            foreach (var item in items)
            {
                if (!first) sb.Append(',');
                AppendString(sb, item);
                first = false;
            }
            return sb.Append(']').ToString();
        }
    }

    /// <summary>Builds one compact JSON object, keys in the order added (as the services emit them).</summary>
    internal sealed class JsonObject
    {
        private readonly StringBuilder _sb = new StringBuilder("{");
        private bool _first = true;

        private JsonObject Key(string key)
        {
            if (!_first) _sb.Append(',');
            _first = false;
            JsonText.AppendString(_sb, key);
            _sb.Append(':');
            return this;
        }

        public JsonObject Add(string key, string? value)
        {
            Key(key);
            if (value == null) _sb.Append("null"); else JsonText.AppendString(_sb, value);
            return this;
        }

        public JsonObject Add(string key, long value)
        {
            Key(key)._sb.Append(value.ToString(CultureInfo.InvariantCulture));
            return this;
        }

        public JsonObject AddRaw(string key, string json)
        {
            Key(key)._sb.Append(json);
            return this;
        }

        public override string ToString() => _sb.ToString() + "}";
    }

    internal static class Formats
    {
        /// <summary>Kusto's tostring(datetime): ISO 8601 UTC with 7 fractional digits.</summary>
        public static string Iso7(DateTime utc) =>
            utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

        /// <summary>The Log Analytics query API's rendering: trailing fractional zeros trimmed.</summary>
        public static string IsoTrimmed(DateTime utc)
        {
            string s = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
            if (s.EndsWith(".", StringComparison.Ordinal)) s = s.Substring(0, s.Length - 1);
            return s + "Z";
        }

        public static string Long(long v) => v.ToString(CultureInfo.InvariantCulture);
    }

    internal static class Hashes
    {
        public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        public static string Sha1Hex(string text) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
        public static string Md5Hex(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
