using System;
using System.Text.Json;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// The Kusto operators the seeds rest on, reproduced exactly (docs/seed-semantics.md cites each).
    /// </summary>
    public static class KustoSemantics
    {
        /// <summary>
        /// <c>lhs has rhs</c>: rhs is a whole term of lhs, case-insensitive. Terms are maximal runs of alphanumeric
        /// characters; where rhs begins or ends with punctuation ("-File") that side is unconstrained
        /// (domain.md A.1: inferred model, the documented behaviour for alphanumeric terms).
        /// </summary>
        public static bool Has(string lhs, string rhs)
        {
            if (rhs.Length == 0) return true;
            bool checkLeft = IsAlnum(rhs[0]);
            bool checkRight = IsAlnum(rhs[rhs.Length - 1]);
            int from = 0;
            while (from <= lhs.Length - rhs.Length)
            {
                int at = lhs.IndexOf(rhs, from, StringComparison.OrdinalIgnoreCase);
                if (at < 0) return false;
                bool leftOk = !checkLeft || at == 0 || !IsAlnum(lhs[at - 1]);
                int end = at + rhs.Length;
                bool rightOk = !checkRight || end == lhs.Length || !IsAlnum(lhs[end]);
                if (leftOk && rightOk) return true;
                from = at + 1;
            }
            return false;
        }

        /// <summary><c>lhs has_any (a, b, ...)</c>.</summary>
        public static bool HasAny(string lhs, params string[] terms)
        {
            foreach (var t in terms) if (Has(lhs, t)) return true;
            return false;
        }

        private static bool IsAlnum(char c) => char.IsLetterOrDigit(c);

        /// <summary>The seeds' <c>extract(@"\-File\s(script[0-9]{1,9}\.ps1)", 1, ...)</c>: case-sensitive, unanchored, "" when no match.</summary>
        public static string ExtractSeedScriptName(string commandLine)
        {
            // extract(@"\-File\s(script[0-9]{1,9}\.ps1)", 1, ...): case-sensitive, the first match. Scanned by hand:
            // it runs on every "-File" DeviceEvents row, and a regex Match allocated about half a kilobyte each time.
            for (int at = commandLine.IndexOf("-File", StringComparison.Ordinal); at >= 0; at = commandLine.IndexOf("-File", at + 1, StringComparison.Ordinal))
            {
                int start = at + 6; // after "-File" and one whitespace character
                if (start > commandLine.Length || !char.IsWhiteSpace(commandLine[at + 5])) continue;
                int end = SeedScriptNameEnd(commandLine, start);
                if (end > 0) return commandLine.Substring(start, end - start);
            }
            return "";
        }

        /// <summary>Is this a name that <see cref="ExtractSeedScriptName"/> can give: script, 1 to 9 digits, .ps1, exactly?</summary>
        public static bool IsSeedScriptName(string name) => SeedScriptNameEnd(name, 0) == name.Length;

        /// <summary>Where <c>script[0-9]{1,9}\.ps1</c> read from <paramref name="start"/> ends; -1 when it does not match there.</summary>
        private static int SeedScriptNameEnd(string s, int start)
        {
            const string Script = "script", Extension = ".ps1";
            if (start + Script.Length > s.Length || string.CompareOrdinal(s, start, Script, 0, Script.Length) != 0) return -1;
            int digits = start + Script.Length, end = digits;
            while (end < s.Length && s[end] >= '0' && s[end] <= '9') end++;
            // Fewer digits than the run would leave a digit where ".ps1" must be: the run itself must fit {1,9}.
            if (end == digits || end - digits > 9) return -1;
            if (end + Extension.Length > s.Length || string.CompareOrdinal(s, end, Extension, 0, Extension.Length) != 0) return -1;
            return end + Extension.Length;
        }

        /// <summary><c>tostring(split(s, sep)[index])</c>: negative index counts from the end; out of range gives "".</summary>
        public static string SplitAt(string s, char separator, int index)
        {
            var parts = s.Split(separator);
            if (index < 0) index += parts.Length;
            return index >= 0 && index < parts.Length ? parts[index] : "";
        }

        /// <summary><c>max()</c> over strings: ordinal (domain.md A.3, inferred).</summary>
        public static string MaxOrdinal(string a, string b) => string.CompareOrdinal(a, b) >= 0 ? a : b;

        /// <summary>
        /// <c>tostring(parse_json(json).property)</c>: "" when json is not valid JSON, not an object, or lacks the property;
        /// strings as they are, other values as compact JSON text.
        /// </summary>
        public static string JsonProperty(string json, string property)
        {
            if (json.Length == 0 || json[0] != '{' && !char.IsWhiteSpace(json[0])) return "";
            try
            {
                using var doc = JsonDocument.Parse(json);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) return "";
                // Kusto property access is case-sensitive; the first match wins.
                foreach (var p in doc.RootElement.EnumerateObject())
                    if (p.NameEquals(property)) return Fingerprinting.KustoJson.ToKustoString(p.Value);
                return "";
            }
            catch (JsonException)
            {
                return "";
            }
        }
    }
}
