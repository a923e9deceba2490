using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RunCommandHunt.Engine.Readers.Formats;

namespace RunCommandHunt.Engine.Vectorized
{
    /// <summary>
    /// <see cref="CsvIndexer"/> with Vector256 (or Vector128) compares: per 64 bytes, one bit per byte for field
    /// separators, row ends and anomalies. Masks are made ahead of the rows in chunks, from a row start on (outside
    /// quotes there by definition), and carry the quote state from chunk to chunk; a row that the masks do not
    /// describe exactly has an anomaly bit and goes to the reader's own parser. A row costs one store per field:
    /// quotes are looked for by the reader only in the fields it reads.
    /// </summary>
    internal sealed unsafe class VectorCsvIndexer : CsvIndexer, CsvIndexer.IHardwareCheck
    {
        private const int ChunkWords = 256; // 16 KB of text per Index call

        // Word i describes buf[windowBase + 64 i .. + 63]; words [0, words) are made.
        private ulong[] separators = new ulong[4 * ChunkWords];
        private ulong[] rowEnds = new ulong[4 * ChunkWords];
        private ulong[] anomalies = new ulong[4 * ChunkWords];
        private int windowBase;
        private int words;
        // The quote state after the last word made: all ones inside quotes.
        private ulong inQuotes;
        // 1 when the last byte of the last word made may be followed by an opening quote (a separator, a row end, a closing quote).
        private ulong openerAllowed = 1;
        // Where the last row taken from the index ended: the next row start the masks are known to describe.
        private int expectedNext = -1;

        public bool IsAccelerated => Vector256.IsHardwareAccelerated || Vector128.IsHardwareAccelerated;

        public override void Reset()
        {
            expectedNext = -1;
            words = 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override int Row(byte[] buf, int length, int pos, byte delimiter, int[] fieldEnds, out int fieldCount)
        {
            fieldCount = 0;
            if (pos != expectedNext || pos < windowBase)
            {
                // Any other position (the first row, a row after one the reader parsed itself, after blank lines): a
                // row start, so outside quotes; the masks start again there.
                windowBase = pos;
                words = 0;
                inQuotes = 0;
                openerAllowed = 1;
            }
            expectedNext = -1;
            int columns = fieldEnds.Length;
            int rel = pos - windowBase;
            int w = rel >> 6;
            ulong from = ~0UL << (rel & 63);
            int field = 0;
            while (true)
            {
                if (w >= words)
                {
                    int shifted = Extend(buf, length, delimiter, pos);
                    if (shifted < 0) return -1;
                    w -= shifted;
                }
                // The words made so far, without bounds checks (Extend may replace the arrays: pinned anew each time).
                fixed (ulong* sep = separators, ends = rowEnds, bad = anomalies)
                fixed (int* stops = fieldEnds)
                {
                    for (; w < words; w++, from = ~0UL)
                    {
                        ulong rowEnd = ends[w] & from;
                        ulong marks = (sep[w] | rowEnd) & from;
                        ulong odd = bad[w] & from;
                        if (rowEnd != 0)
                        {
                            // Nothing after the row's end concerns this row.
                            ulong first = rowEnd & (0 - rowEnd);
                            ulong upTo = first | (first - 1);
                            marks &= upTo;
                            odd &= upTo;
                        }
                        int n = BitOperations.PopCount(marks);
                        if (odd != 0 || field + n > columns) return -1;
                        int wordStart = windowBase + (w << 6);
                        int* o = stops + field;
                        field += n;
                        if (field + 3 <= columns)
                        {
                            // Four at a time, as simdjson flattens its bits: fewer mispredicted loop exits. The up to
                            // three stores past the last mark land in fields after this one, rewritten or never read.
                            while (marks != 0)
                            {
                                o[0] = wordStart + BitOperations.TrailingZeroCount(marks);
                                marks &= marks - 1;
                                o[1] = wordStart + BitOperations.TrailingZeroCount(marks);
                                marks &= marks - 1;
                                o[2] = wordStart + BitOperations.TrailingZeroCount(marks);
                                marks &= marks - 1;
                                o[3] = wordStart + BitOperations.TrailingZeroCount(marks);
                                marks &= marks - 1;
                                o += 4;
                            }
                        }
                        else
                        {
                            while (marks != 0)
                            {
                                *o++ = wordStart + BitOperations.TrailingZeroCount(marks);
                                marks &= marks - 1;
                            }
                        }
                        if (rowEnd != 0)
                        {
                            int end = stops[field - 1] + 1;
                            if (buf[end - 1] == (byte)'\r')
                            {
                                // CRLF or a lone CR: which one is only known with the next byte.
                                if (end >= length) return -1;
                                if (buf[end] == (byte)'\n') end++;
                            }
                            fieldCount = field;
                            expectedNext = end;
                            return end;
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Makes the next chunk of words; first, when the arrays are full, moves the words of the current row
        /// (from <paramref name="rowStart"/>) to the front, or grows them. Returns how many words moved out at the
        /// front (the caller's word index goes down by that), or -1 when the buffer holds no more text.
        /// </summary>
        private int Extend(byte[] buf, int length, byte delimiter, int rowStart)
        {
            int made = windowBase + (words << 6);
            if (made >= length) return -1;
            int shifted = 0;
            if (words + ChunkWords > separators.Length)
            {
                shifted = (rowStart - windowBase) >> 6;
                if (shifted > 0)
                {
                    int keep = words - shifted;
                    Array.Copy(separators, shifted, separators, 0, keep);
                    Array.Copy(rowEnds, shifted, rowEnds, 0, keep);
                    Array.Copy(anomalies, shifted, anomalies, 0, keep);
                    words = keep;
                    windowBase += shifted << 6;
                }
                if (words + ChunkWords > separators.Length)
                {
                    // One row longer than the arrays: make room for it.
                    Array.Resize(ref separators, separators.Length * 2);
                    Array.Resize(ref rowEnds, rowEnds.Length * 2);
                    Array.Resize(ref anomalies, anomalies.Length * 2);
                }
            }
            int readable = length - made;
            int count = Math.Min(ChunkWords, (readable + 63) >> 6);
            fixed (byte* b = buf)
            fixed (ulong* s = &separators[words], e = &rowEnds[words], x = &anomalies[words])
                Index(b + made, readable, count, delimiter, ref inQuotes, ref openerAllowed, s, e, x);
            words += count;
            return shifted;
        }

        /// <summary>
        /// The masks of <paramref name="count"/> 64-byte words of text at <paramref name="text"/>, of which
        /// <paramref name="readable"/> bytes exist (a last, partial word reads as if padded with NUL bytes, which are
        /// none of the marked characters). Bit i of a word is its byte i:
        /// separators and rowEnds: the delimiter, CR or LF outside quotes;
        /// anomalies: a quote that opens where no field starts (text before it), a quote that closes where no field
        /// ends (text after it, or the end of the readable text, where what follows is unknown), a CR or LF inside
        /// quotes. The quote state is carried in <paramref name="inQuotes"/> (all ones inside) and
        /// <paramref name="openerAllowed"/> (1 when a quote may open at the next byte).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void Index(byte* text, int readable, int count, byte delimiter, ref ulong inQuotes, ref ulong openerAllowed,
            ulong* separators, ulong* rowEnds, ulong* anomalies, bool narrow = false)
        {
            ulong carry = inQuotes, opener = openerAllowed;
            ulong pendingClose = 0; // 1 when the previous word ended on a closing quote
            ulong previous = 0;     // the previous word's anomalies, stored once its last byte's follower is known
            byte* padded = stackalloc byte[64];
            for (int k = 0; k < count; k++)
            {
                byte* p = text + (k << 6);
                int left = readable - (k << 6);
                if (left < 64)
                {
                    new Span<byte>(padded, 64).Clear();
                    new ReadOnlySpan<byte>(p, left).CopyTo(new Span<byte>(padded, 64));
                    p = padded;
                }
                Classify(p, delimiter, narrow, out ulong q, out ulong d, out ulong br);
                if ((q | carry) == 0)
                {
                    // No quote and outside quotes: the delimiters and line breaks are the structure.
                    if (k > 0) anomalies[k - 1] = previous | ((pendingClose & ~(d | br)) << 63);
                    pendingClose = 0;
                    previous = 0;
                    opener = (d | br) >> 63;
                    separators[k] = d;
                    rowEnds[k] = br;
                    continue;
                }

                // Inclusive prefix XOR of the quotes: bit i set when byte i is inside quotes (an opening quote counts
                // as inside, a closing one as outside).
                ulong x = PrefixXor(q) ^ carry;
                carry = (ulong)((long)x >> 63);

                ulong sep = d & ~x, end = br & ~x;
                ulong open = q & x, close = q & ~x;
                ulong boundary = sep | end | close;
                ulong badOpen = open & ~((boundary << 1) | opener);
                opener = boundary >> 63;

                // A closing quote must meet a separator, a row end or another quote; for the word's last byte that is
                // this word's first byte, checked on the previous word here.
                ulong follower = sep | end | q;
                if (k > 0) anomalies[k - 1] = previous | ((pendingClose & ~follower) << 63);
                pendingClose = close >> 63;
                previous = badOpen | (close & ~(follower >> 1) & ~(1UL << 63)) | (br & x);

                separators[k] = sep;
                rowEnds[k] = end;
            }
            // The last word's last byte: its follower is the next byte, when there is one.
            if (pendingClose != 0)
            {
                int next = count << 6;
                bool followed = next < readable && (text[next] == delimiter || text[next] == (byte)'\r' || text[next] == (byte)'\n' || text[next] == (byte)'"');
                if (!followed) previous |= 1UL << 63;
            }
            anomalies[count - 1] = previous;
            inQuotes = carry;
            openerAllowed = opener;
        }

        /// <summary>Bit i = XOR of bits 0..i: a carry-less multiply by all ones where the CPU has one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong PrefixXor(ulong q)
        {
            if (Pclmulqdq.IsSupported)
                return Pclmulqdq.CarrylessMultiply(Vector128.CreateScalar(q), Vector128<ulong>.AllBitsSet, 0).ToScalar();
            q ^= q << 1; q ^= q << 2; q ^= q << 4; q ^= q << 8; q ^= q << 16; q ^= q << 32;
            return q;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Classify(byte* p, byte delimiter, bool narrow, out ulong quotes, out ulong delimiters, out ulong lineBreaks)
        {
            // narrow: the Vector128 path, for tests on a CPU that has Vector256.
            if (Vector256.IsHardwareAccelerated && !narrow)
            {
                var lo = Vector256.Load(p);
                var hi = Vector256.Load(p + 32);
                var quote = Vector256.Create((byte)'"');
                var delim = Vector256.Create(delimiter);
                var cr = Vector256.Create((byte)'\r');
                var lf = Vector256.Create((byte)'\n');
                quotes = Bits(Vector256.Equals(lo, quote), Vector256.Equals(hi, quote));
                delimiters = Bits(Vector256.Equals(lo, delim), Vector256.Equals(hi, delim));
                lineBreaks = Bits(Vector256.Equals(lo, cr) | Vector256.Equals(lo, lf), Vector256.Equals(hi, cr) | Vector256.Equals(hi, lf));
            }
            else
            {
                var a = Vector128.Load(p);
                var b = Vector128.Load(p + 16);
                var c = Vector128.Load(p + 32);
                var d = Vector128.Load(p + 48);
                var quote = Vector128.Create((byte)'"');
                var delim = Vector128.Create(delimiter);
                var cr = Vector128.Create((byte)'\r');
                var lf = Vector128.Create((byte)'\n');
                quotes = Bits(Vector128.Equals(a, quote), Vector128.Equals(b, quote), Vector128.Equals(c, quote), Vector128.Equals(d, quote));
                delimiters = Bits(Vector128.Equals(a, delim), Vector128.Equals(b, delim), Vector128.Equals(c, delim), Vector128.Equals(d, delim));
                lineBreaks = Bits(Vector128.Equals(a, cr) | Vector128.Equals(a, lf), Vector128.Equals(b, cr) | Vector128.Equals(b, lf),
                    Vector128.Equals(c, cr) | Vector128.Equals(c, lf), Vector128.Equals(d, cr) | Vector128.Equals(d, lf));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Bits(Vector256<byte> lo, Vector256<byte> hi) =>
            lo.ExtractMostSignificantBits() | ((ulong)hi.ExtractMostSignificantBits() << 32);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Bits(Vector128<byte> a, Vector128<byte> b, Vector128<byte> c, Vector128<byte> d) =>
            a.ExtractMostSignificantBits() | ((ulong)b.ExtractMostSignificantBits() << 16)
            | ((ulong)c.ExtractMostSignificantBits() << 32) | ((ulong)d.ExtractMostSignificantBits() << 48);
    }
}
