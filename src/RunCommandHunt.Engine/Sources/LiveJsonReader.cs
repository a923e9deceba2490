using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>The response body is bigger than the configured cap; the window is split rather than the memory used up.</summary>
    internal sealed class ResponseTooLargeException : Exception
    {
        public ResponseTooLargeException(long limit) : base($"The response body exceeded {limit} bytes.") { Limit = limit; }
        public long Limit { get; }
    }

    /// <summary>The body is not the JSON we expect; names the byte offset (and line/byte in line) where it went wrong.</summary>
    internal sealed class MalformedResponseException : Exception
    {
        public MalformedResponseException(string message, Exception? inner = null) : base(message, inner) { }
    }

    /// <summary>
    /// A pull reader over a response stream: Utf8JsonReader over a refilled buffer, one token at a time, so a
    /// 100 MB answer is never held as text or DOM. Utf8JsonReader is a ref struct; we keep its state between tokens and
    /// make a fresh one per token over the unread bytes.
    /// </summary>
    internal sealed class LiveJsonReader
    {
        private static readonly JsonWriterOptions RawWriterOptions = new JsonWriterOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Indented = false,
            SkipValidation = true,
        };

        private readonly Stream _stream;
        private readonly long _maxBytes;
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;
        private bool _final;
        private long _bytesRead;
        private long _offsetOfBufferStart;
        private JsonReaderState _state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        private string? _text;

        public LiveJsonReader(Stream stream, long maxBytes)
        {
            _stream = stream;
            _maxBytes = maxBytes;
        }

        public JsonTokenType TokenType { get; private set; } = JsonTokenType.None;

        /// <summary>Nesting depth after the current token (inside the top-level object = 1).</summary>
        public int Depth { get; private set; }

        /// <summary>Bytes of the body read from the network so far.</summary>
        public long BytesRead => _bytesRead;

        /// <summary>Byte offset in the body where the current token ended.</summary>
        public long Position => _offsetOfBufferStart + _start;

        /// <summary>Next token, or false at the end of the body.</summary>
        public bool Read()
        {
            while (true)
            {
                var reader = new Utf8JsonReader(new ReadOnlySpan<byte>(_buffer, _start, _end - _start), _final, _state);
                bool ok;
                try
                {
                    ok = reader.Read();
                }
                catch (JsonException ex)
                {
                    if (_final && _start + reader.BytesConsumed >= _end)
                        throw new MalformedResponseException(
                            $"the body ended after {_offsetOfBufferStart + _end} bytes inside an unfinished JSON value (cut off?)", ex);
                    throw new MalformedResponseException(
                        $"invalid JSON at byte {Position + reader.BytesConsumed} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1} in line): {ex.Message}", ex);
                }
                if (ok)
                {
                    TokenType = reader.TokenType;
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.String:
                        case JsonTokenType.PropertyName:
                            _text = reader.GetString();
                            break;
                        case JsonTokenType.Number:
                            _text = Encoding.UTF8.GetString(reader.ValueSpan.ToArray());
                            break;
                        default:
                            _text = null;
                            break;
                    }
                    _start += (int)reader.BytesConsumed;
                    _state = reader.CurrentState;
                    Depth = reader.CurrentDepth + (reader.TokenType == JsonTokenType.StartObject || reader.TokenType == JsonTokenType.StartArray ? 1 : 0);
                    return true;
                }
                _start += (int)reader.BytesConsumed;
                _state = reader.CurrentState;
                if (_final)
                {
                    if (Depth != 0 || TokenType == JsonTokenType.None)
                        throw new MalformedResponseException($"the body ended after {Position} bytes inside an unfinished JSON value");
                    return false;
                }
                Fill();
            }
        }

        /// <summary>Reads the next token; the body must not end here (<paramref name="where"/>: "inside 'rows'").</summary>
        public void Next(string where)
        {
            if (!Read()) throw new MalformedResponseException($"the body ended at byte {Position} {where}");
        }

        /// <summary>Reads the next token and fails unless it has the expected type.</summary>
        public void Expect(JsonTokenType type, string what)
        {
            if (!Read()) throw new MalformedResponseException($"the body ended at byte {Position}, expected {what}");
            if (TokenType != type) throw new MalformedResponseException($"expected {what} at byte {Position}, found {TokenType}");
        }

        /// <summary>Text of the current string, property name or number token.</summary>
        public string Text => _text ?? "";

        /// <summary>
        /// The current value as cell text: strings as given, numbers and booleans as JSON text, objects and arrays as
        /// compact JSON, null as null. Leaves the reader on the value's last token.
        /// </summary>
        public string? ReadCellValue()
        {
            switch (TokenType)
            {
                case JsonTokenType.String: return Text;
                case JsonTokenType.Number: return Text;
                case JsonTokenType.True: return "true";
                case JsonTokenType.False: return "false";
                case JsonTokenType.Null: return null;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    return ReadRawJson(int.MaxValue);
                default:
                    throw new MalformedResponseException($"unexpected {TokenType} at byte {Position} where a value belongs");
            }
        }

        /// <summary>Skips the current value (scalar, object or array).</summary>
        public void Skip()
        {
            if (TokenType != JsonTokenType.StartObject && TokenType != JsonTokenType.StartArray) return;
            int depth = Depth;
            while (Read())
            {
                if ((TokenType == JsonTokenType.EndObject || TokenType == JsonTokenType.EndArray) && Depth == depth - 1) return;
            }
            throw new MalformedResponseException($"the body ended at byte {Position} inside a value");
        }

        /// <summary>
        /// The current value re-written as compact JSON (property order and values kept). Stops copying after
        /// <paramref name="maxChars"/> characters but still consumes the value.
        /// </summary>
        public string ReadRawJson(int maxChars)
        {
            using (var ms = new MemoryStream())
            {
                using (var w = new Utf8JsonWriter(ms, RawWriterOptions))
                {
                    int depth = Depth;
                    bool container = TokenType == JsonTokenType.StartObject || TokenType == JsonTokenType.StartArray;
                    while (true)
                    {
                        if (ms.Length + w.BytesPending <= maxChars) WriteToken(w);
                        if (!container) break;
                        if ((TokenType == JsonTokenType.EndObject || TokenType == JsonTokenType.EndArray) && Depth == depth - 1) break;
                        if (!Read()) throw new MalformedResponseException($"the body ended at byte {Position} inside a value");
                    }
                }
                var text = Encoding.UTF8.GetString(ms.ToArray());
                return text.Length > maxChars ? text.Substring(0, maxChars) + "..." : text;
            }
        }

        private void WriteToken(Utf8JsonWriter w)
        {
            switch (TokenType)
            {
                case JsonTokenType.StartObject: w.WriteStartObject(); break;
                case JsonTokenType.EndObject: w.WriteEndObject(); break;
                case JsonTokenType.StartArray: w.WriteStartArray(); break;
                case JsonTokenType.EndArray: w.WriteEndArray(); break;
                case JsonTokenType.PropertyName: w.WritePropertyName(Text); break;
                case JsonTokenType.String: w.WriteStringValue(Text); break;
                case JsonTokenType.Number: w.WriteRawValue(Text, skipInputValidation: true); break;
                case JsonTokenType.True: w.WriteBooleanValue(true); break;
                case JsonTokenType.False: w.WriteBooleanValue(false); break;
                case JsonTokenType.Null: w.WriteNullValue(); break;
            }
        }

        private void Fill()
        {
            // Keep the unread tail; grow when one token is bigger than the buffer.
            int unread = _end - _start;
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, unread);
                _offsetOfBufferStart += _start;
                _start = 0;
                _end = unread;
            }
            if (_end == _buffer.Length)
            {
                var bigger = new byte[_buffer.Length * 2];
                Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
                _buffer = bigger;
            }
            int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                _final = true;
                return;
            }
            _end += n;
            _bytesRead += n;
            if (_bytesRead > _maxBytes) throw new ResponseTooLargeException(_maxBytes);
        }

        internal static string FormatBytes(long bytes) =>
            bytes >= 1024 * 1024
                ? (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " MB"
                : bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
    }
}
