using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using RunCommandHunt.Engine.Diagnostics;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>
    /// RFC 4180 CSV over a large UTF-8 byte buffer: quoted fields with "" escapes and line breaks, CRLF/LF/CR, a
    /// delimiter detected from the header line (comma, semicolon, tab; or Excel's "sep=" line). Delimiters,
    /// quotes and line breaks are ASCII, so the scan runs on bytes and only the fields somebody reads are
    /// decoded into strings. Lines are physical lines; a row reports the line it starts on.
    /// </summary>
    internal sealed class CsvRowSource : RowSource, RowPrefilter.IRawRow
    {
        private const int PreviewChars = 200;
        private const int MaxHeaderBytes = 1 << 20;
        private static readonly Encoding Utf8 = new UTF8Encoding(false, false);
        private readonly Stream input;
        private readonly int maxRowBytes;
        private readonly int columnCount;
        private byte[] buf;
        private int pos, len;
        private long bufferOffset; // offset of buf[0] in the UTF-8 text (after any byte order mark)
        private bool eof;
        private long line = 1;
        private byte delim = (byte)',';

        // The last parsed row.
        private int fieldCount;
        private long rowLine;
        private bool rowEndedAtEof;
        private int rowStart, rowEnd;
        private ErrorKind error;
        private int errorField;
        private long errorLine;
        private string? errorValue;
        // Kept rows repeat their machine, command line, Authorization...: each distinct value is one string.
        private readonly StringPool pool = new StringPool();
        // The time column is not pooled: every row's differs and is parsed, never kept, so a pooled copy would only
        // live on until its slot is taken, long enough to be promoted (-2: not looked up yet).
        private int timeColumn = -2;
        // Where each field of the last row lies in buf (content only, without the quotes); valid until the next read.
        private int[] fieldStart = Array.Empty<int>(), fieldEnd = Array.Empty<int>();
        private bool[] fieldEscaped = Array.Empty<bool>();
        // The last row came from the index: fieldEnd holds where each field's delimiter is, fieldStart is not set.
        private bool fromIndex;
        // Rows in the common form are found from a vectorised index of the buffer (PowerShell 7.4+); null elsewhere,
        // and until the first row is asked for (see IndexMinBytes).
        private CsvIndexer? indexer;
        private bool indexChosen;

        private enum ErrorKind { None, Unterminated, TextAfterQuote }

        public CsvRowSource(EvidenceStream stream, int bufferBytes = 1 << 20, int maxRowBytes = 32 << 20) : base(stream)
        {
            input = stream.OpenUtf8();
            buf = new byte[Math.Max(bufferBytes, 64)];
            this.maxRowBytes = Math.Max(maxRowBytes, buf.Length);
            Fill(0);

            SkipBlankLines();
            if (!ReadSepLine()) delim = DetectDelimiter();
            SkipBlankLines();

            var header = new List<string>();
            while (pos < len || !eof)
            {
                if (ParseRow(header)) break;
                header.Clear();
                // A header is a few KB; a "line" of megabytes is some other kind of file.
                if (len - pos >= MaxHeaderBytes || !MakeRoom())
                    throw new EvidenceException($"{Path}: no header line within the first {MaxHeaderBytes / 1024} KB; not a CSV export", Path, line) { Reason = "UnknownFormat" };
            }
            columnCount = header.Count;
            fieldStart = new int[columnCount];
            fieldEnd = new int[columnCount];
            fieldEscaped = new bool[columnCount];
            Columns = new ColumnSet(header);

            bool portal = header.Exists(h => h.TrimEnd().EndsWith(" [UTC]", StringComparison.OrdinalIgnoreCase));
            Format = Describe(portal ? EvidenceFormats.PortalCsv : EvidenceFormats.Csv,
                delim == (byte)';' ? "semicolon" : delim == (byte)'\t' ? "tab" : delim == (byte)',' ? null : $"delimiter '{(char)delim}'");
        }

        /// <summary>
        /// The rows from byte <paramref name="offset"/> of the UTF-8 text on (a row boundary, as far as anyone knows:
        /// EvidenceReader checks that the first part's reader ends exactly there), with <paramref name="first"/>'s
        /// header and delimiter; <paramref name="input"/> starts at that offset, lines are counted from <paramref name="line"/>.
        /// </summary>
        internal CsvRowSource(EvidenceStream stream, CsvRowSource first, Stream input, long offset, long line, int bufferBytes = 1 << 20) : base(stream)
        {
            this.input = input;
            buf = new byte[Math.Max(bufferBytes, 64)];
            maxRowBytes = first.maxRowBytes;
            delim = first.delim;
            columnCount = first.columnCount;
            fieldStart = new int[columnCount];
            fieldEnd = new int[columnCount];
            fieldEscaped = new bool[columnCount];
            Columns = first.Columns;
            Format = first.Format;
            this.line = line;
            bufferOffset = offset;
            Fill(0);
        }

        /// <summary>Where this reader stops (End) when a row boundary falls exactly there; a row over it clears it
        /// and sets <see cref="CrossedStop"/>, and reading goes on to the end of the file.</summary>
        internal long StopAt { get; set; } = long.MaxValue;

        internal bool CrossedStop { get; private set; }

        /// <summary>The line the next row starts on (1-based, physical lines).</summary>
        internal long LineNumber => line;

        /// <summary>Offset in the UTF-8 text of the next byte to read.</summary>
        internal long Offset => bufferOffset + pos;

        public char Delimiter => (char)delim;

        /// <summary>Tests turn the fast row parser off to check it against the general one.</summary>
        internal bool UseFastPath { get; set; } = true;

        /// <summary>Tests turn the structural index off to check it against the row parsers.</summary>
        internal bool UseIndex { get; set; } = true;

        /// <summary>
        /// Files smaller than this are parsed row by row: the index saves a fraction of a nanosecond per byte and its
        /// kernels cost a few milliseconds of compilation at their first use, which a hunt over a few small exports
        /// (samples/, the first result of a session) would only pay. Tests set it to 0.
        /// </summary>
        internal long IndexMinBytes { get; set; } = DefaultIndexMinBytes;

        internal const long DefaultIndexMinBytes = 1 << 20;

        /// <summary>Whether rows are found from the vectorised index (for tests; known once a row was asked for).</summary>
        internal bool Indexed => indexer != null && UseIndex;

        /// <summary>Rows the index gave (the others were parsed row by row), for tests: the index must be used.</summary>
        internal long RowsFromIndex { get; private set; }

        [MethodImpl(Hot.Optimize)]
        public override RowStatus Next(bool[] needed, string?[] values, RowOutcome outcome) => Next(needed, values, outcome, null);

        /// <summary>Parses the next row; when <paramref name="prefilter"/> says it can be passed over, returns Skipped
        /// without making a string of it, else fills the needed values.</summary>
        [MethodImpl(Hot.Optimize)]
        public override RowStatus Next(bool[] needed, string?[] values, RowOutcome outcome, RowPrefilter.Bound? prefilter)
        {
            var status = NextRow(outcome);
            if (status != RowStatus.Row) return status;
            if (prefilter != null && prefilter.CanSkip(this)) return RowStatus.Skipped;
            if (timeColumn == -2) timeColumn = Columns.IndexOf(TableSchema.TimeGenerated);
            for (int i = 0; i < needed.Length; i++)
            {
                if (!needed[i]) continue;
                if (i >= fieldCount)
                {
                    values[i] = null;
                    continue;
                }
                Bounds(i, out int start, out int end, out bool escaped);
                values[i] = i == timeColumn ? StringPool.Decode(buf, start, end - start, escaped) : pool.Get(buf, start, end - start, escaped);
            }
            return RowStatus.Row;
        }

        [MethodImpl(Hot.Optimize)]
        ReadOnlySpan<byte> RowPrefilter.IRawRow.Field(int column, out bool escaped)
        {
            if ((uint)column >= (uint)fieldCount || column >= columnCount)
            {
                escaped = false;
                return default;
            }
            Bounds(column, out int start, out int end, out escaped);
            return new ReadOnlySpan<byte>(buf, start, end - start);
        }

        /// <summary>Where field i of the last row lies in buf, without its quotes, and whether it holds doubled quotes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Bounds(int i, out int start, out int end, out bool escaped)
        {
            end = fieldEnd[i];
            if (!fromIndex)
            {
                start = fieldStart[i];
                escaped = fieldEscaped[i];
                return;
            }
            // A row from the index has only its field ends (the delimiters and the line break): most fields of most
            // rows are never looked at, so their quotes are looked for here, in the fields that are.
            start = i == 0 ? rowStart : fieldEnd[i - 1] + 1;
            escaped = false;
            if (end > start && buf[start] == (byte)'"')
            {
                // The index took the row: its quoted fields end with their closing quote.
                start++;
                end--;
                escaped = end > start && new ReadOnlySpan<byte>(buf, start, end - start).IndexOf((byte)'"') >= 0;
            }
        }

        [MethodImpl(Hot.Optimize)]
        private RowStatus NextRow(RowOutcome outcome)
        {
            while (true)
            {
                // A read of the first part of a file ends where the second part's reader began (EvidenceReader's
                // split); a row that went over that point (the last one, too) means the split fell inside a row.
                if (bufferOffset + pos >= StopAt)
                {
                    if (bufferOffset + pos == StopAt) return RowStatus.End;
                    CrossedStop = true;
                    StopAt = long.MaxValue;
                }
                if (pos >= len)
                {
                    if (eof) return RowStatus.End;
                    Fill(pos);
                    continue;
                }
                byte c = buf[pos];
                if (c == (byte)'\n') { pos++; line++; continue; }
                if (c == (byte)'\r')
                {
                    if (pos + 1 >= len && !eof) { Fill(pos); continue; }
                    pos++;
                    if (pos < len && buf[pos] == (byte)'\n') pos++;
                    line++;
                    continue;
                }
                if (!indexChosen)
                {
                    indexChosen = true;
                    if (UseIndex && TotalBytes >= IndexMinBytes) indexer = CsvIndexer.Create(delim);
                }
                if (indexer != null && UseIndex)
                {
                    int end = indexer.Row(buf, len, pos, delim, fieldEnd, out int count);
                    if (end >= 0)
                    {
                        fromIndex = true;
                        // Rows taken from the index hold no line break inside quotes: one line each.
                        TakeWholeRow(count, end, 1);
                        RowsFromIndex++;
                        break;
                    }
                }
                fromIndex = false;
                if ((UseFastPath && TryParseWellFormedRow()) || ParseRow(null)) break;
                if (!MakeRoom())
                {
                    RejectTooLong(outcome);
                    return RowStatus.Rejected;
                }
            }

            if (error == ErrorKind.Unterminated)
            {
                outcome.Reject(rowLine, ColumnName(errorField), errorValue,
                    $"the quoted field that opens on line {errorLine} is not closed before the end of the file (unbalanced quote or truncated file)");
                return RowStatus.Rejected;
            }
            if (error == ErrorKind.TextAfterQuote)
            {
                outcome.Reject(rowLine, ColumnName(errorField), errorValue, "text after the closing quote of a quoted field");
                return RowStatus.Rejected;
            }
            if (fieldCount != columnCount)
            {
                string reason = $"{fieldCount} field{(fieldCount == 1 ? "" : "s")}, the header has {columnCount}";
                if (fieldCount < columnCount && rowEndedAtEof) reason += "; the last line is cut short (truncated file?)";
                outcome.Reject(rowLine, fieldCount < columnCount ? ColumnName(fieldCount) : "", Preview(rowStart, rowEnd), reason);
                return RowStatus.Rejected;
            }
            outcome.Line = rowLine;
            return RowStatus.Row;
        }

        /// <summary>
        /// The common row, fast: whole in the buffer, RFC 4180 quoting, no more fields than the header. Sets what
        /// <see cref="ParseRow"/> sets, with the same result; false (nothing consumed) for any other row, which
        /// ParseRow then reads. Delimiters are found with a short scalar loop (most fields are short or empty) and
        /// the line end once per row, instead of a search for three bytes per field.
        /// </summary>
        [MethodImpl(Hot.Optimize)]
        private unsafe bool TryParseWellFormedRow()
        {
            int n = len;
            byte d = delim;
            int columns = columnCount;
            int field = 0;
            int quotedEnd = -1;
            bool crossed = false;
            int p;
            ulong delimiters = d * 0x0101010101010101UL;
            fixed (byte* b = buf)
            fixed (int* starts = fieldStart, ends = fieldEnd)
            fixed (bool* escapes = fieldEscaped)
            {
                byte* limit = b + n;
                byte* at = b + pos;
                byte* lineEnd = LineBreak(at, limit);
                if (lineEnd == null) return false;

                while (true)
                {
                    if (field >= columns) return false;
                    if (at == lineEnd)
                    {
                        // "a,b," + line break: an empty last field.
                        starts[field] = ends[field] = (int)(at - b);
                        escapes[field] = false;
                        field++;
                        break;
                    }
                    byte c = *at;
                    if (c == d)
                    {
                        starts[field] = ends[field] = (int)(at - b);
                        escapes[field] = false;
                        field++;
                        at++;
                        continue;
                    }
                    if (c == (byte)'"')
                    {
                        byte* q = at + 1;
                        bool escaped = false;
                        byte* k;
                        while (true)
                        {
                            k = NextQuote(q, limit);
                            if (k == null || k + 1 >= limit) return false;
                            if (k[1] != (byte)'"') break;
                            escaped = true;
                            q = k + 2;
                        }
                        starts[field] = (int)(at + 1 - b);
                        ends[field] = (int)(k - b);
                        escapes[field] = escaped;
                        field++;
                        quotedEnd = (int)(k - b);
                        at = k + 1;
                        // A line break inside the quotes: the row goes on to the next one after them.
                        if (k > lineEnd)
                        {
                            crossed = true;
                            lineEnd = LineBreak(at, limit);
                            if (lineEnd == null) return false;
                        }
                        if (at == lineEnd) break;
                        if (*at != d) return false;
                        at++;
                        continue;
                    }
                    // Fields are short: eight bytes at a time (SWAR) finds their end sooner than a vectorised search can start.
                    byte* e = at + 1;
                    while (true)
                    {
                        if (e + 8 > lineEnd)
                        {
                            while (e < lineEnd && *e != d) e++;
                            break;
                        }
                        ulong x = Unsafe.ReadUnaligned<ulong>(e) ^ delimiters;
                        ulong found = (x - 0x0101010101010101UL) & ~x & 0x8080808080808080UL;
                        if (found != 0)
                        {
                            e += FirstMarkedByte(found);
                            break;
                        }
                        e += 8;
                    }
                    starts[field] = (int)(at - b);
                    ends[field] = (int)(e - b);
                    escapes[field] = false;
                    field++;
                    at = e;
                    if (at == lineEnd) break;
                    at++;
                }

                // The line break: CRLF, LF or a lone CR, as ParseRow reads them.
                if (*at == (byte)'\r')
                {
                    if (at + 1 >= limit) return false;
                    at++;
                    if (*at == (byte)'\n') at++;
                }
                else at++;
                p = (int)(at - b);
            }

            TakeWholeRow(field, p, (crossed ? CountNewlines(pos, quotedEnd) : 0) + 1);
            return true;
        }

        /// <summary>The row at pos, whole in the buffer and well formed, ends at <paramref name="end"/> (after its line
        /// break) and spans <paramref name="lines"/> lines.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void TakeWholeRow(int fields, int end, long lines)
        {
            fieldCount = fields;
            rowLine = line;
            rowEndedAtEof = false;
            rowStart = pos;
            rowEnd = end;
            error = ErrorKind.None;
            errorValue = null;
            line += lines;
            pos = end;
        }

        private const ulong Quotes = 0x2222222222222222UL;

        /// <summary>The first '"' at or after q, null when the buffer ends first. Quoted JSON holds a doubled quote every
        /// few bytes: eight bytes at a time, then a vectorised search when the text runs long.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe byte* NextQuote(byte* q, byte* limit)
        {
            for (int i = 0; i < 4 && q + 8 <= limit; i++)
            {
                ulong x = Unsafe.ReadUnaligned<ulong>(q) ^ Quotes;
                ulong found = (x - 0x0101010101010101UL) & ~x & 0x8080808080808080UL;
                if (found != 0) return q + FirstMarkedByte(found);
                q += 8;
            }
            int k = new ReadOnlySpan<byte>(q, (int)(limit - q)).IndexOf((byte)'"');
            return k < 0 ? null : q + k;
        }

        /// <summary>Index of the lowest byte whose top bit is set in <paramref name="marks"/> (one of 0x80 per byte, not
        /// zero): the lowest set bit's index / 8, with a de Bruijn multiply (BitOperations is not in netstandard2.0).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int FirstMarkedByte(ulong marks)
        {
            ulong lowest = marks & (~marks + 1);
            return DeBruijnBytes[(lowest * 0x03F79D71B4CB0A89UL) >> 58];
        }

        private static readonly byte[] DeBruijnBytes = BuildDeBruijnBytes();

        private static byte[] BuildDeBruijnBytes()
        {
            var table = new byte[64];
            for (int bit = 0; bit < 64; bit++) table[((1UL << bit) * 0x03F79D71B4CB0A89UL) >> 58] = (byte)(bit / 8);
            return table;
        }

        /// <summary>The first CR or LF at or after p, null when the buffer ends first.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe byte* LineBreak(byte* p, byte* limit)
        {
            int k = new ReadOnlySpan<byte>(p, (int)(limit - p)).IndexOfAny((byte)'\r', (byte)'\n');
            return k < 0 ? null : p + k;
        }

        /// <summary>
        /// Parses the row at pos. False when the buffer ends inside the row and more data may follow; then
        /// nothing is consumed and the caller makes room and calls again.
        /// </summary>
        [MethodImpl(Hot.Optimize)]
        private bool ParseRow(List<string>? header)
        {
            byte[] b = buf;
            int n = len;
            int p = pos;
            int field = 0;
            int quotedEnd = -1; // end of the last quoted content: line breaks before it are inside quotes
            error = ErrorKind.None;
            errorValue = null;
            bool endedAtEof = false;
            bool lineBreak = false;
            byte d = delim;

            while (true)
            {
                if (p >= n)
                {
                    if (!eof) return false;
                    // The file ends right after a delimiter: an empty last field.
                    Store(field, header, p, p, false);
                    field++;
                    endedAtEof = true;
                    break;
                }

                if (b[p] == (byte)'"')
                {
                    int contentStart = p + 1;
                    int q = contentStart;
                    bool escaped = false;
                    while (true)
                    {
                        int k = NextQuote(q);
                        if (k < 0)
                        {
                            if (!eof) return false;
                            if (error == ErrorKind.None)
                            {
                                error = ErrorKind.Unterminated;
                                errorField = field;
                                errorLine = line + CountNewlines(pos, contentStart);
                                errorValue = Preview(contentStart, n);
                            }
                            quotedEnd = n;
                            p = n;
                            break;
                        }
                        if (k + 1 >= n && !eof) return false;
                        if (k + 1 < n && b[k + 1] == (byte)'"')
                        {
                            escaped = true;
                            q = k + 2;
                            continue;
                        }
                        Store(field, header, contentStart, k, escaped);
                        quotedEnd = k;
                        p = k + 1;
                        break;
                    }
                    if (p < n && b[p] != d && b[p] != (byte)'\r' && b[p] != (byte)'\n')
                    {
                        // Not RFC 4180: keep reading to the field's end so that the row boundary is found.
                        int k = b.AsSpan(p, n - p).IndexOfAny(d, (byte)'\r', (byte)'\n');
                        if (k < 0)
                        {
                            if (!eof) return false;
                            k = n - p;
                        }
                        if (error == ErrorKind.None)
                        {
                            error = ErrorKind.TextAfterQuote;
                            errorField = field;
                            errorValue = Preview(contentStart - 1, p + k);
                        }
                        p += k;
                    }
                }
                else
                {
                    int k = FieldEnd(p, d);
                    if (k < 0)
                    {
                        if (!eof) return false;
                        k = n - p;
                    }
                    Store(field, header, p, p + k, false);
                    p += k;
                }
                field++;

                if (p >= n)
                {
                    if (!eof) return false;
                    endedAtEof = true;
                    break;
                }
                byte c = b[p];
                if (c == d) { p++; continue; }
                if (c == (byte)'\r')
                {
                    if (p + 1 >= n && !eof) return false;
                    p++;
                    if (p < n && b[p] == (byte)'\n') p++;
                }
                else p++;
                lineBreak = true;
                break;
            }

            fieldCount = field;
            rowLine = line;
            rowEndedAtEof = endedAtEof;
            rowStart = pos;
            rowEnd = p;
            line += (quotedEnd > pos ? CountNewlines(pos, quotedEnd) : 0) + (lineBreak ? 1 : 0);
            pos = p;
            return true;
        }

        /// <summary>Index of the next '"' at or after q, -1 when the buffer ends first.</summary>
        private unsafe int NextQuote(int q)
        {
            fixed (byte* b = buf)
            {
                byte* k = NextQuote(b + q, b + len);
                return k == null ? -1 : (int)(k - b);
            }
        }

        /// <summary>Offset from p of the next delimiter or line break, -1 when the buffer ends first. Most fields
        /// are short: a plain loop finds their end sooner than a vectorised search can start.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int FieldEnd(int p, byte d)
        {
            byte[] b = buf;
            int limit = Math.Min(len, p + 16);
            for (int i = p; i < limit; i++)
            {
                byte c = b[i];
                if (c == d || c == (byte)'\n' || c == (byte)'\r') return i - p;
            }
            if (limit >= len) return -1;
            int k = b.AsSpan(limit, len - limit).IndexOfAny(d, (byte)'\r', (byte)'\n');
            return k < 0 ? -1 : k + limit - p;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Store(int field, List<string>? header, int start, int end, bool escaped)
        {
            if (header != null) header.Add(MakeString(start, end, escaped));
            else if (field < columnCount)
            {
                fieldStart[field] = start;
                fieldEnd[field] = end;
                fieldEscaped[field] = escaped;
            }
        }

        private string MakeString(int start, int end, bool escaped)
        {
            if (end <= start) return "";
            var s = Utf8.GetString(buf, start, end - start);
            return escaped ? s.Replace("\"\"", "\"") : s;
        }

        private int CountNewlines(int start, int end)
        {
            int count = 0;
            while (start < end)
            {
                int k = buf.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (k < 0) break;
                count++;
                start += k + 1;
            }
            return count;
        }

        private string ColumnName(int field) => field >= 0 && field < columnCount ? Columns[field] : $"field {field + 1}";

        private string Preview(int start, int end)
        {
            int n = Math.Min(Math.Max(end - start, 0), PreviewChars * 4);
            var s = Utf8.GetString(buf, start, n).TrimEnd('\r', '\n');
            return end - start > n || s.Length > PreviewChars ? s.Substring(0, Math.Min(s.Length, PreviewChars)) + "..." : s;
        }

        /// <summary>Keeps the row at pos and reads more after it; grows the buffer when the row fills it.
        /// False when the row is longer than the limit.</summary>
        private bool MakeRoom()
        {
            if (eof) return false;
            if (pos == 0 && len == buf.Length)
            {
                if (buf.Length >= maxRowBytes) return false;
                var bigger = new byte[(int)Math.Min((long)buf.Length * 2, maxRowBytes)];
                Buffer.BlockCopy(buf, 0, bigger, 0, len);
                buf = bigger;
            }
            Fill(pos);
            return true;
        }

        private void Fill(int keepFrom)
        {
            indexer?.Reset();
            bufferOffset += keepFrom;
            int keep = len - keepFrom;
            if (keepFrom > 0 && keep > 0) Buffer.BlockCopy(buf, keepFrom, buf, 0, keep);
            pos -= keepFrom;
            len = keep;
            while (len < buf.Length && !eof)
            {
                int n = input.Read(buf, len, buf.Length - len);
                if (n == 0) eof = true;
                else len += n;
            }
        }

        /// <summary>A row that does not fit the limit: almost always an unbalanced quote that swallows the rest
        /// of the file. Reject it and resume on the next physical line.</summary>
        private void RejectTooLong(RowOutcome outcome)
        {
            int k = buf.AsSpan(pos, len - pos).IndexOf((byte)'\n');
            if (k < 0) throw Unreadable(line, $"a line longer than {maxRowBytes} bytes; this is not a CSV export");
            outcome.Reject(line, "", Preview(pos, pos + k),
                $"a row longer than {maxRowBytes} bytes: a quote is probably not closed; reading resumes on the next line");
            pos += k + 1;
            line++;
        }

        private void SkipBlankLines()
        {
            while (pos < len)
            {
                if (buf[pos] == (byte)'\n') { pos++; line++; }
                else if (buf[pos] == (byte)'\r') { pos++; if (pos < len && buf[pos] == (byte)'\n') pos++; line++; }
                else return;
            }
        }

        private bool ReadSepLine()
        {
            if (len - pos < 5 || (buf[pos] | 0x20) != 's' || (buf[pos + 1] | 0x20) != 'e' || (buf[pos + 2] | 0x20) != 'p' || buf[pos + 3] != (byte)'=')
                return false;
            byte d = buf[pos + 4];
            int after = pos + 5;
            if (d >= 0x80 || (after < len && buf[after] != (byte)'\r' && buf[after] != (byte)'\n')) return false;
            delim = d;
            pos = after;
            return true;
        }

        /// <summary>The most frequent of comma, semicolon and tab outside quotes on the header line.</summary>
        private byte DetectDelimiter()
        {
            int commas = 0, semicolons = 0, tabs = 0;
            bool quoted = false;
            for (int i = pos; i < len; i++)
            {
                byte c = buf[i];
                if (c == (byte)'"') quoted = !quoted;
                else if (quoted) continue;
                else if (c == (byte)'\n' || c == (byte)'\r') break;
                else if (c == (byte)',') commas++;
                else if (c == (byte)';') semicolons++;
                else if (c == (byte)'\t') tabs++;
            }
            if (semicolons > commas && semicolons >= tabs) return (byte)';';
            if (tabs > commas && tabs > semicolons) return (byte)'\t';
            return (byte)',';
        }

        public override void Dispose()
        {
            input.Dispose();
            base.Dispose();
        }
    }
}
