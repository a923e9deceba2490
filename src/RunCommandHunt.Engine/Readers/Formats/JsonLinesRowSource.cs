using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>
    /// JSON Lines: one row object per physical line. The first object's property names are the columns;
    /// a later row may leave a column out (null) and its unknown properties are ignored. A bad line is a
    /// rejected row and reading goes on.
    /// </summary>
    internal sealed class JsonLinesRowSource : RowSource
    {
        private const int PreviewChars = 200;
        private readonly Stream input;
        private readonly int maxLineBytes;
        private JsonRowReader rowReader;
        private byte[] buf;
        private int pos, len;
        private bool eof;
        private bool lastLineTerminated;
        private long line;
        private string?[]? pending;
        private long pendingLine;

        public JsonLinesRowSource(EvidenceStream stream, int bufferBytes = 1 << 20, int maxLineBytes = 64 << 20) : base(stream)
        {
            input = stream.OpenUtf8();
            buf = new byte[Math.Max(bufferBytes, 64)];
            this.maxLineBytes = Math.Max(maxLineBytes, buf.Length);
            Format = Describe(EvidenceFormats.JsonLines);

            var names = new List<string>();
            var values = new List<string?>();
            while (NextLine(out int start, out int length))
            {
                if (IsBlank(start, length)) continue;
                try
                {
                    var r = new Utf8JsonReader(new ReadOnlySpan<byte>(buf, start, length), KustoJson.ReaderOptions);
                    r.Read();
                    if (r.TokenType != JsonTokenType.StartObject)
                        throw Unreadable(line, $"expected a JSON object on each line, found {JsonRowReader.Describe(r.TokenType)}");
                    JsonRowReader.ReadNamesAndValues(ref r, names, values);
                    while (r.Read()) { }
                }
                catch (JsonException ex)
                {
                    // A line holding only "{" is an indented JSON document (a report, a manifest), not rows: in a
                    // folder it is skipped quietly; a broken first line of real JSON Lines stays a warning.
                    if (IsOpenBraceOnly(start, length))
                        throw new Diagnostics.EvidenceException($"{Path}: an indented JSON document, not rows (no \"tables\", \"results\" or one object per line)", Path, line) { Reason = "UnknownFormat" };
                    throw Unreadable(line, $"the first line is not a complete JSON object (JSON Lines needs one object per line): {ex.Message}", ex);
                }
                pending = values.ToArray();
                pendingLine = line;
                break;
            }
            Columns = new ColumnSet(names);
            rowReader = new JsonRowReader(Columns);
        }

        private bool IsOpenBraceOnly(int start, int length)
        {
            int braces = 0;
            for (int i = start; i < start + length; i++)
            {
                byte b = buf[i];
                if (b == (byte)'{') braces++;
                else if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r' && b != (byte)'\n') return false;
            }
            return braces == 1;
        }

        [MethodImpl(Hot.Optimize)]
        public override void AddColumns(IEnumerable<string> names)
        {
            var extended = Extended(names);
            if (extended == null) return;
            if (pending != null) Array.Resize(ref pending, extended.Count);
            Columns = extended;
            rowReader = new JsonRowReader(extended);
        }

        public override RowStatus Next(bool[] needed, string?[] values, RowOutcome outcome)
        {
            if (pending != null)
            {
                for (int i = 0; i < needed.Length; i++) if (needed[i]) values[i] = pending[i];
                pending = null;
                outcome.Line = pendingLine;
                return RowStatus.Row;
            }
            int start, length;
            do
            {
                if (!NextLine(out start, out length)) return RowStatus.End;
            }
            while (IsBlank(start, length));

            for (int i = 0; i < needed.Length; i++) if (needed[i]) values[i] = null;
            string? error;
            try
            {
                var r = new Utf8JsonReader(new ReadOnlySpan<byte>(buf, start, length), KustoJson.ReaderOptions);
                r.Read();
                error = rowReader.ReadObject(ref r, needed, values);
                if (error == null) while (r.Read()) { }
            }
            catch (JsonException ex)
            {
                error = $"not valid JSON: {ex.Message}";
                if (eof && pos >= len && !lastLineTerminated) error += "; the last line is cut short (truncated file?)";
            }
            if (error != null)
            {
                outcome.Reject(line, "", Preview(start, length), error);
                return RowStatus.Rejected;
            }
            outcome.Line = line;
            return RowStatus.Row;
        }

        /// <summary>The next physical line (without its CR/LF), as a span of the buffer.</summary>
        [MethodImpl(Hot.Optimize)]
        private bool NextLine(out int start, out int length)
        {
            while (true)
            {
                int k = pos < len ? buf.AsSpan(pos, len - pos).IndexOf((byte)'\n') : -1;
                if (k >= 0 || (eof && pos < len))
                {
                    start = pos;
                    length = k >= 0 ? k : len - pos;
                    pos += k >= 0 ? k + 1 : length;
                    lastLineTerminated = k >= 0;
                    if (length > 0 && buf[start + length - 1] == (byte)'\r') length--;
                    line++;
                    return true;
                }
                if (eof)
                {
                    start = length = 0;
                    return false;
                }
                if (pos == 0 && len == buf.Length)
                {
                    if (buf.Length >= maxLineBytes)
                        throw Unreadable(line + 1, $"a line longer than {maxLineBytes / (1024 * 1024)} MB");
                    var bigger = new byte[(int)Math.Min((long)buf.Length * 2, maxLineBytes)];
                    Buffer.BlockCopy(buf, 0, bigger, 0, len);
                    buf = bigger;
                }
                Fill();
            }
        }

        private void Fill()
        {
            int keep = len - pos;
            if (pos > 0 && keep > 0) Buffer.BlockCopy(buf, pos, buf, 0, keep);
            pos = 0;
            len = keep;
            while (len < buf.Length && !eof)
            {
                int n = input.Read(buf, len, buf.Length - len);
                if (n == 0) eof = true;
                else len += n;
            }
        }

        private bool IsBlank(int start, int length)
        {
            for (int i = start; i < start + length; i++)
            {
                byte b = buf[i];
                if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r') return false;
            }
            return true;
        }

        private string Preview(int start, int length)
        {
            int n = Math.Min(length, PreviewChars * 4);
            string s = System.Text.Encoding.UTF8.GetString(buf, start, n);
            return s.Length > PreviewChars || length > n ? s.Substring(0, Math.Min(PreviewChars, s.Length)) + "..." : s;
        }
    }
}
