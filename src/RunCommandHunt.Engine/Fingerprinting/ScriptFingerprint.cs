using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace RunCommandHunt.Engine.Fingerprinting
{
    /// <summary>The script fingerprint: Kusto's hash_sha256 over the command list's JSON text.</summary>
    public static class ScriptFingerprint
    {
        /// <summary><c>hash_sha256(text)</c>: lowercase hex SHA-256 of the UTF-8 bytes.</summary>
        public static string Sha256Hex(string text)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text));
            var sb = new StringBuilder(64);
            foreach (var b in hash) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        /// <summary><c>tostring(list)</c> for a dynamic array of strings.</summary>
        public static string ToKustoJson(IReadOnlyList<string> list) => KustoJson.StringArray(list);

        /// <summary>
        /// The analytic rule's normal form: every command upper-cased (invariant) and sorted ordinally, duplicates kept.
        /// </summary>
        public static string[] Normalize(IEnumerable<string> commands)
        {
            var upper = commands.Select(c => c.ToUpperInvariant()).ToArray();
            Array.Sort(upper, StringComparer.Ordinal);
            return upper;
        }

        /// <summary>
        /// Hash of a command list. <paramref name="normalize"/>: hash the rule's normal form (the default behaviour,
        /// so hashes match Sentinel's whatever order or case the list is in); false hashes the list as given (seed modes).
        /// <see cref="FingerprintKind.CommandsAndSize"/> appends the file size, as the rule's TempFingerprintString does.
        /// </summary>
        public static string Compute(IReadOnlyList<string> commands, long? fileSize, FingerprintKind kind, bool normalize)
        {
            var list = normalize ? Normalize(commands) : commands;
            var text = ToKustoJson(list);
            if (kind == FingerprintKind.CommandsAndSize)
                text += fileSize.HasValue ? fileSize.Value.ToString(CultureInfo.InvariantCulture) : "";
            return Sha256Hex(text);
        }
    }
}
