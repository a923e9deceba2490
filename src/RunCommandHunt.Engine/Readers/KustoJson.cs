using System;
using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using RunCommandHunt.Engine.Readers.Formats;

namespace RunCommandHunt.Engine.Readers
{
    /// <summary>The readers' side of Kusto's dynamic values: JSON token text and parse_json(AdditionalFields).Command.
    /// The text rules themselves (compact JSON, minimal escaping) live in <see cref="Fingerprinting.KustoJson"/>.</summary>
    internal static class KustoJson
    {
        internal static readonly JsonReaderOptions ReaderOptions = new JsonReaderOptions { MaxDepth = 256 };
        internal static readonly JsonDocumentOptions DocumentOptions = new JsonDocumentOptions { MaxDepth = 256 };

        /// <summary>The text of a JSON value the reader is on (a string's content, a number's text, compact JSON
        /// for containers, null for null). Leaves the reader on the value's last token.</summary>
        internal static string? ValueText(ref Utf8JsonReader r)
        {
            switch (r.TokenType)
            {
                case JsonTokenType.String: return Text(ref r);
                case JsonTokenType.Number: return Ascii(r.ValueSpan);
                case JsonTokenType.True: return "true";
                case JsonTokenType.False: return "false";
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    using (var doc = JsonDocument.ParseValue(ref r)) return Fingerprinting.KustoJson.Compact(doc.RootElement);
                default: return null;
            }
        }

        /// <summary>A string or property name token's text. Invalid UTF-8 inside it (an ANSI byte in a JSON export)
        /// reads as U+FFFD, as it does in the CSV reader, instead of failing the whole file.</summary>
        internal static string Text(ref Utf8JsonReader r)
        {
            try
            {
                return r.GetString() ?? "";
            }
            catch (InvalidOperationException)
            {
                // Raw bytes with U+FFFD for the bad ones; escapes in such a value stay as written.
                var span = r.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(r.ValueSequence) : r.ValueSpan.ToArray();
                return Encoding.UTF8.GetString(span);
            }
        }

        /// <summary>Text of an ASCII token such as a JSON number (no unsafe code, no array copy).</summary>
        internal static string Ascii(ReadOnlySpan<byte> bytes)
        {
            if (bytes.IsEmpty) return "";
            char[] chars = ArrayPool<char>.Shared.Rent(bytes.Length);
            try
            {
                for (int i = 0; i < bytes.Length; i++) chars[i] = (char)bytes[i];
                return new string(chars, 0, bytes.Length);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }

        /// <summary>tostring(parse_json(text).Command) and .ScriptContent. Returns false when the text is not
        /// valid JSON (both then ""), as Kusto's parse_json keeps such text as a plain string.</summary>
        [MethodImpl(Hot.Optimize)]
        internal static bool TryReadCommand(string text, out string command, out string scriptContent)
        {
            command = "";
            scriptContent = "";
            if (text.Length == 0) return true;
            // Plain text that does not start like JSON: skip the parser.
            int k = 0;
            while (k < text.Length && (text[k] == ' ' || text[k] == '\t' || text[k] == '\r' || text[k] == '\n')) k++;
            if (k == text.Length) return true;
            if (text[k] != '{')
                return IsValidJson(text);

            int max = Encoding.UTF8.GetMaxByteCount(text.Length);
            byte[] buffer = scratch != null && scratch.Length >= max ? scratch : (scratch = new byte[Math.Max(max, 256)]);
            try
            {
                int n = Encoding.UTF8.GetBytes(text, 0, text.Length, buffer, 0);
                var r = new Utf8JsonReader(new ReadOnlySpan<byte>(buffer, 0, n), ReaderOptions);
                r.Read();
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    // Compare names only when the length can match ("Command" 7, "ScriptContent" 13 bytes).
                    int length = r.ValueIsEscaped ? -1 : r.ValueSpan.Length;
                    bool isCommand = (length == 7 || length < 0) && r.ValueTextEquals("Command"u8);
                    bool isScript = !isCommand && (length == 13 || length < 0) && r.ValueTextEquals("ScriptContent"u8);
                    r.Read();
                    if (isCommand) command = ValueText(ref r) ?? "";
                    else if (isScript) scriptContent = ValueText(ref r) ?? "";
                    else if (r.TokenType == JsonTokenType.StartObject || r.TokenType == JsonTokenType.StartArray) r.Skip();
                }
                // Anything after the object makes the whole text invalid JSON.
                while (r.Read()) { }
                return true;
            }
            catch (JsonException)
            {
                command = "";
                scriptContent = "";
                return false;
            }
            finally
            {
                // Very long texts should not pin a large buffer to the thread.
                if (buffer.Length > 1 << 20) scratch = null;
            }
        }

        [ThreadStatic] private static byte[]? scratch;

        private static bool IsValidJson(string text)
        {
            try
            {
                using (JsonDocument.Parse(text, DocumentOptions)) return true;
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }
}
