using System;
using System.IO;
using System.Text.Json;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>
    /// Utf8JsonReader over a stream, one token at a time, re-filling a buffer that grows only when a single
    /// value being read whole (a row) does not fit. Tracks physical line numbers of token starts.
    /// </summary>
    internal sealed class JsonCursor
    {
        /// <summary>What a caller does with a whole value: a reader over exactly that value (final block),
        /// positioned on its first token.</summary>
        public delegate void ValueHandler(ref Utf8JsonReader reader);

        private readonly Stream stream;
        private readonly int maxValueBytes;
        private byte[] buf;
        private int start, end;
        private bool eof;
        private JsonReaderState state = new JsonReaderState(KustoJson.ReaderOptions);
        private int prevStart;
        private JsonReaderState prevState;
        private int tokenStart;
        private long lineBase = 1;
        private int lineScan;

        public JsonCursor(Stream stream, int bufferBytes = 1 << 20, int maxValueBytes = 64 << 20)
        {
            this.stream = stream;
            buf = new byte[Math.Max(bufferBytes, 64)];
            this.maxValueBytes = Math.Max(maxValueBytes, buf.Length);
        }

        public JsonTokenType Token { get; private set; } = JsonTokenType.None;
        /// <summary>Utf8JsonReader.CurrentDepth of the token: 0 for the root, 1 for its properties.</summary>
        public int Depth { get; private set; }
        /// <summary>The property name or string value of the token; a number's text.</summary>
        public string? Text { get; private set; }

        /// <summary>The physical line the current token starts on.</summary>
        public long TokenLine => LineAt(tokenStart);

        /// <summary>Approximate line of the read position, for errors.</summary>
        public long Line => LineAt(Math.Min(start, end));

        /// <summary>True when the data ended inside the JSON (a cut-off file).</summary>
        public bool Truncated { get; private set; }

        /// <summary>Next token; false at the end of the data (see <see cref="Truncated"/>). Throws JsonException on
        /// malformed JSON.</summary>
        public bool Read()
        {
            while (true)
            {
                // Never a final block: incomplete data then reads as "not yet", never as an error.
                var r = new Utf8JsonReader(new ReadOnlySpan<byte>(buf, start, end - start), false, state);
                if (r.Read())
                {
                    prevStart = start;
                    prevState = state;
                    tokenStart = start + (int)r.TokenStartIndex;
                    Token = r.TokenType;
                    Depth = r.CurrentDepth;
                    Text = r.TokenType == JsonTokenType.PropertyName || r.TokenType == JsonTokenType.String ? KustoJson.Text(ref r)
                        : r.TokenType == JsonTokenType.Number ? KustoJson.Ascii(r.ValueSpan) : null;
                    start += (int)r.BytesConsumed;
                    state = r.CurrentState;
                    return true;
                }
                start += (int)r.BytesConsumed;
                state = r.CurrentState;
                if (eof)
                {
                    Truncated = r.CurrentDepth > 0 || !IsWhitespace(start, end);
                    return false;
                }
                Fill(start);
            }
        }

        /// <summary>Skips the value of the current token (a container's whole content), streaming. False when
        /// the data ends first (<see cref="Truncated"/>).</summary>
        public bool SkipValue()
        {
            if (Token != JsonTokenType.StartObject && Token != JsonTokenType.StartArray) return true;
            int depth = Depth;
            while (true)
            {
                var r = new Utf8JsonReader(new ReadOnlySpan<byte>(buf, start, end - start), false, state);
                bool done = false;
                while (r.Read())
                {
                    if ((r.TokenType == JsonTokenType.EndObject || r.TokenType == JsonTokenType.EndArray) && r.CurrentDepth == depth)
                    {
                        done = true;
                        Token = r.TokenType;
                        break;
                    }
                }
                start += (int)r.BytesConsumed;
                state = r.CurrentState;
                if (done) return true;
                if (eof)
                {
                    Truncated = true;
                    return false;
                }
                Fill(start);
            }
        }

        /// <summary>
        /// Reads the current token's value whole (buffering it) and hands it to <paramref name="handler"/>.
        /// False when the data ends inside the value (a cut-off file); the cursor is then at the end.
        /// </summary>
        public bool TryReadValue(ValueHandler handler)
        {
            while (true)
            {
                // Not a final block: a cut-off value reads as incomplete, a malformed one throws.
                var probe = new Utf8JsonReader(new ReadOnlySpan<byte>(buf, prevStart, end - prevStart), false, prevState);
                probe.Read();
                bool complete = probe.TrySkip();
                if (complete)
                {
                    int valueEnd = prevStart + (int)probe.BytesConsumed;
                    var r = new Utf8JsonReader(new ReadOnlySpan<byte>(buf, tokenStart, valueEnd - tokenStart), true, new JsonReaderState(KustoJson.ReaderOptions));
                    r.Read();
                    handler(ref r);
                    start = valueEnd;
                    state = probe.CurrentState;
                    Token = probe.TokenType;
                    return true;
                }
                if (eof)
                {
                    start = end;
                    Truncated = true;
                    return false;
                }
                if (prevStart == 0 && end == buf.Length)
                {
                    if (buf.Length >= maxValueBytes)
                        throw new JsonException($"a single value is larger than {maxValueBytes / (1024 * 1024)} MB");
                    var bigger = new byte[(int)Math.Min((long)buf.Length * 2, maxValueBytes)];
                    Buffer.BlockCopy(buf, 0, bigger, 0, end);
                    buf = bigger;
                }
                Fill(prevStart);
            }
        }

        private bool IsWhitespace(int from, int to)
        {
            for (int i = from; i < to; i++)
            {
                byte b = buf[i];
                if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r' && b != (byte)'\n') return false;
            }
            return true;
        }

        private long LineAt(int position)
        {
            if (position > lineScan)
            {
                int p = lineScan;
                while (p < position)
                {
                    int k = buf.AsSpan(p, position - p).IndexOf((byte)'\n');
                    if (k < 0) break;
                    lineBase++;
                    p += k + 1;
                }
                lineScan = position;
            }
            return lineBase;
        }

        private void Fill(int keepFrom)
        {
            LineAt(keepFrom);
            int keep = end - keepFrom;
            if (keepFrom > 0 && keep > 0) Buffer.BlockCopy(buf, keepFrom, buf, 0, keep);
            start -= keepFrom;
            prevStart -= keepFrom;
            tokenStart -= keepFrom;
            lineScan -= keepFrom;
            end = keep;
            while (end < buf.Length && !eof)
            {
                int n = stream.Read(buf, end, buf.Length - end);
                if (n == 0) eof = true;
                else end += n;
            }
        }
    }
}
