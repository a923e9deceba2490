using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RunCommandHunt.Engine.Tests.Oracle
{
    /// <summary>Kusto scalar functions, comparison operators and aggregates, written from the documentation
    /// (domain.md §A) as literally as possible. Slow and plain on purpose: this is the reference the engine is
    /// checked against, so every line should be checkable by reading it.</summary>
    public static class Kql
    {
        // ---- comparison -------------------------------------------------------------------------------

        /// <summary>==. Case-sensitive for strings; null if either side is null (null propagation).</summary>
        public static bool? Equal(object? a, object? b)
        {
            if (a == null || b == null) return null;
            if (a is string sa && b is string sb) return string.Equals(sa, sb, StringComparison.Ordinal);
            if (a is DateTime da && b is DateTime db) return da.Ticks == db.Ticks;
            if (IsNumber(a) && IsNumber(b)) return ToDouble(a) == ToDouble(b);
            return ToStr(a) == ToStr(b);
        }

        /// <summary>!=. Case-sensitive; null if either side is null.</summary>
        public static bool? NotEqual(object? a, object? b)
        {
            var eq = Equal(a, b);
            return eq == null ? (bool?)null : !eq.Value;
        }

        /// <summary>=~ on strings: case-insensitive equality.</summary>
        public static bool EqualTilde(object? a, string b)
        {
            return string.Equals(ToStr(a), b, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>expr between (lo .. hi): expr &gt;= lo and expr &lt;= hi, both ends inclusive; null if any
        /// operand is null, which where treats as false.</summary>
        public static bool? Between(object? value, object? low, object? high)
        {
            if (value == null || low == null || high == null) return null;
            return Compare(value, low) >= 0 && Compare(value, high) <= 0;
        }

        /// <summary>Ordering for order by / min / max. Strings ordinal (INFERRED, domain.md §A.3/§A.4); null sorts
        /// first (asc default "nulls first").</summary>
        public static int Compare(object? a, object? b)
        {
            if (a == null && b == null) return 0;
            if (a == null) return -1;
            if (b == null) return 1;
            if (a is string sa && b is string sb) return Math.Sign(string.CompareOrdinal(sa, sb));
            if (a is DateTime da && b is DateTime db) return da.Ticks.CompareTo(db.Ticks);
            if (IsNumber(a) && IsNumber(b)) return ToDouble(a).CompareTo(ToDouble(b));
            return Math.Sign(string.CompareOrdinal(ToStr(a), ToStr(b)));
        }

        // ---- has / has_any (term semantics) ---------------------------------------------------------

        /// <summary>lhs has rhs. A string is cut into terms, maximal runs of alphanumeric characters; has is true
        /// when rhs is a whole term of lhs, case-insensitively. For an rhs with punctuation ("-File") this encodes the
        /// INFERRED model of domain.md §A.1: rhs must occur case-insensitively, and where rhs begins (ends) with an
        /// alphanumeric character the character before (after) the occurrence must not be alphanumeric. A dynamic
        /// lhs (an array from make_list) is searched through its JSON text (INFERRED, §A.1).</summary>
        public static bool Has(object? lhs, string rhs)
        {
            var text = ToStr(lhs);
            if (rhs.Length == 0) return true;
            var mustStartTerm = char.IsLetterOrDigit(rhs[0]);
            var mustEndTerm = char.IsLetterOrDigit(rhs[rhs.Length - 1]);
            for (var i = 0; i + rhs.Length <= text.Length; i++)
            {
                if (string.Compare(text, i, rhs, 0, rhs.Length, StringComparison.OrdinalIgnoreCase) != 0) continue;
                var before = i == 0 ? (char?)null : text[i - 1];
                var after = i + rhs.Length == text.Length ? (char?)null : text[i + rhs.Length];
                if (mustStartTerm && before.HasValue && char.IsLetterOrDigit(before.Value)) continue;
                if (mustEndTerm && after.HasValue && char.IsLetterOrDigit(after.Value)) continue;
                return true;
            }
            return false;
        }

        /// <summary>lhs has_any (a, b, ...): lhs has at least one of the values.</summary>
        public static bool HasAny(object? lhs, params string[] values)
        {
            return values.Any(v => Has(lhs, v));
        }

        // ---- string functions -------------------------------------------------------------------------

        /// <summary>tostring(): null becomes "", a dynamic array or bag becomes compact JSON, a datetime ISO 8601
        /// with seven fractional digits.</summary>
        public static string ToStr(object? value)
        {
            switch (value)
            {
                case null: return "";
                case string s: return s;
                case DateTime d: return FormatDateTime(d);
                case long l: return l.ToString(CultureInfo.InvariantCulture);
                case int i: return i.ToString(CultureInfo.InvariantCulture);
                case double x: return x.ToString("R", CultureInfo.InvariantCulture);
                case bool b: return b ? "true" : "false";
                default: return ToJson(value);
            }
        }

        /// <summary>isnotempty(): not null and not "".</summary>
        public static bool IsNotEmpty(object? value)
        {
            return value != null && ToStr(value).Length > 0;
        }

        /// <summary>toupper(). Culture not documented (OPEN, §A.7); invariant upper-casing.</summary>
        public static string ToUpper(object? value)
        {
            return ToStr(value).ToUpperInvariant();
        }

        /// <summary>split(source, delimiter): a dynamic array of strings; split("", d) is [""].</summary>
        public static List<object?> Split(object? source, string delimiter)
        {
            // A dynamic holding a string splits on its string value; a null source behaves like "" (OPEN, §A.5;
            // the seeds only index into the result, where both readings give "").
            var text = ToStr(source);
            return text.Split(new[] { delimiter }, StringSplitOptions.None).Cast<object?>().ToList();
        }

        /// <summary>array[index]: a negative index counts from the end (-1 is the last element); out of range is
        /// null (tostring then gives "").</summary>
        public static object? At(object? array, long index)
        {
            if (!(array is List<object?> list)) return null;
            var i = index < 0 ? list.Count + index : index;
            return i >= 0 && i < list.Count ? list[(int)i] : null;
        }

        /// <summary>extract(regex, group, source): the group of the first match, or null (a string null, i.e. "")
        /// when nothing matches. Kusto's regex is case-sensitive unless the i flag is set (§A.6).</summary>
        public static string Extract(string pattern, int captureGroup, object? source)
        {
            var match = new Regex(pattern, RegexOptions.CultureInvariant).Match(ToStr(source));
            if (!match.Success || !match.Groups[captureGroup].Success) return "";
            return match.Groups[captureGroup].Value;
        }

        /// <summary>hash_sha256(): lowercase hex SHA-256 of the UTF-8 bytes of the value's string form (§A.8).</summary>
        public static string HashSha256(object? value)
        {
            using (var sha = SHA256.Create())
            {
                var digest = sha.ComputeHash(Encoding.UTF8.GetBytes(ToStr(value)));
                var hex = new StringBuilder(64);
                foreach (var b in digest) hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
                return hex.ToString();
            }
        }

        /// <summary>toreal(): a 64-bit double; null stays null.</summary>
        public static double? ToReal(object? value)
        {
            if (value == null) return null;
            return ToDouble(value);
        }

        // ---- dynamic ----------------------------------------------------------------------------------

        /// <summary>parse_json(): valid JSON becomes a dynamic value; anything else is kept as the original string
        /// (not null). A value that is already dynamic is returned as it is.</summary>
        public static object? ParseJson(object? value)
        {
            if (!(value is string text)) return value;
            try
            {
                using (var doc = JsonDocument.Parse(text))
                {
                    return FromJson(doc.RootElement);
                }
            }
            catch (JsonException)
            {
                return text;
            }
        }

        /// <summary>dynamic.property: the property of a bag, or null when the value is not a bag or lacks it.</summary>
        public static object? Member(object? dynamicValue, string property)
        {
            if (dynamicValue is KqlBag bag && bag.TryGetValue(property, out var v)) return v;
            return null;
        }

        /// <summary>tostring(dynamic): compact JSON, no whitespace, non-ASCII left as it is, minimal escaping
        /// (", \, control characters; short forms \b \f \n \r \t, others \u00xx). §A.8 (escaping of controls other
        /// than \n is OPEN).</summary>
        public static string ToJson(object? value)
        {
            var sb = new StringBuilder();
            WriteJson(sb, value);
            return sb.ToString();
        }

        private static void WriteJson(StringBuilder sb, object? value)
        {
            switch (value)
            {
                case null: sb.Append("null"); return;
                case string s: WriteJsonString(sb, s); return;
                case bool b: sb.Append(b ? "true" : "false"); return;
                case DateTime d: WriteJsonString(sb, FormatDateTime(d)); return;
                case long _:
                case int _:
                case double _:
                    sb.Append(ToStr(value)); return;
                case List<object?> list:
                    sb.Append('[');
                    for (var i = 0; i < list.Count; i++)
                    {
                        if (i > 0) sb.Append(',');
                        WriteJson(sb, list[i]);
                    }
                    sb.Append(']');
                    return;
                case KqlBag bag:
                    sb.Append('{');
                    var first = true;
                    foreach (var kv in bag)
                    {
                        if (!first) sb.Append(',');
                        first = false;
                        WriteJsonString(sb, kv.Key);
                        sb.Append(':');
                        WriteJson(sb, kv.Value);
                    }
                    sb.Append('}');
                    return;
                default:
                    throw new ArgumentException("Not a Kusto value: " + value.GetType());
            }
        }

        private static void WriteJsonString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (var c in s)
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

        private static object? FromJson(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String: return e.GetString();
                case JsonValueKind.Number: return e.TryGetInt64(out var l) ? (object)l : e.GetDouble();
                case JsonValueKind.True: return true;
                case JsonValueKind.False: return false;
                case JsonValueKind.Array: return e.EnumerateArray().Select(FromJson).ToList();
                case JsonValueKind.Object:
                    var bag = new KqlBag();
                    foreach (var p in e.EnumerateObject()) bag[p.Name] = FromJson(p.Value);
                    return bag;
                default: return null;
            }
        }

        // ---- aggregates ---------------------------------------------------------------------------------

        /// <summary>min(column): ignores nulls; null for no values.</summary>
        public static Func<IReadOnlyList<Row>, object?> Min(string column)
        {
            return rows => rows.Select(r => r[column]).Where(v => v != null)
                .Aggregate((object?)null, (best, v) => best == null || Compare(v, best) < 0 ? v : best);
        }

        /// <summary>max(column): ignores nulls (strings are never null, so "" takes part); ordinal for strings.</summary>
        public static Func<IReadOnlyList<Row>, object?> Max(string column)
        {
            return rows => rows.Select(r => r[column]).Where(v => v != null)
                .Aggregate((object?)null, (best, v) => best == null || Compare(v, best) > 0 ? v : best);
        }

        /// <summary>make_list(column): every non-null value, duplicates kept, in the order of the input rows.</summary>
        public static Func<IReadOnlyList<Row>, object?> MakeList(string column)
        {
            return rows => rows.Select(r => r[column]).Where(v => v != null).ToList();
        }

        /// <summary>count(): a long.</summary>
        public static Func<IReadOnlyList<Row>, object?> Count()
        {
            return rows => (long)rows.Count;
        }

        // ---- helpers --------------------------------------------------------------------------------------

        public static string FormatDateTime(DateTime d)
        {
            return d.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'", CultureInfo.InvariantCulture);
        }

        private static bool IsNumber(object v) => v is long || v is int || v is double;

        private static double ToDouble(object v)
        {
            switch (v)
            {
                case long l: return l;
                case int i: return i;
                case double d: return d;
                default: return double.Parse(ToStr(v), CultureInfo.InvariantCulture);
            }
        }
    }
}
