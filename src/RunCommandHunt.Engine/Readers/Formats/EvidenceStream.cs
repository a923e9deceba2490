using System;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>
    /// An evidence file opened for reading: gzip detected by its magic bytes (1f 8b), the text encoding by its
    /// byte order mark (UTF-8, UTF-16 LE/BE; UTF-16 without a BOM by its zero bytes; else UTF-8), and the first
    /// characters available for format sniffing without consuming them.
    /// </summary>
    internal sealed class EvidenceStream : IDisposable
    {
        private const int SniffBytes = 64 * 1024;
        private readonly FileStream file;
        private readonly PeekableStream content;

        private EvidenceStream(string path, FileStream file, PeekableStream content, bool gzip)
        {
            Path = path;
            this.file = file;
            this.content = content;
            Gzip = gzip;
        }

        public string Path { get; }
        public bool Gzip { get; }
        /// <summary>"UTF-8", "UTF-16LE" or "UTF-16BE".</summary>
        public string EncodingName { get; private set; } = "UTF-8";
        public Encoding Encoding { get; private set; } = Utf8NoBom;
        /// <summary>The first non-whitespace character, '\0' for an empty file.</summary>
        public char FirstChar { get; private set; }
        /// <summary>The start of the content as UTF-8 (BOM removed), for sniffing.</summary>
        public byte[] Utf8Prefix { get; private set; } = Array.Empty<byte>();
        /// <summary>True when <see cref="Utf8Prefix"/> holds the whole content.</summary>
        public bool PrefixIsWhole { get; private set; }
        /// <summary>Why the content is not text at all (a zip/xlsx, a binary file), or null.</summary>
        public string? NotText { get; private set; }
        /// <summary>Set when UTF-8 content holds invalid sequences (an ANSI export?): such bytes read as U+FFFD.</summary>
        public string? EncodingWarning { get; private set; }
        /// <summary>Bytes of the byte order mark skipped at the start.</summary>
        public int BomLength { get; private set; }
        /// <summary>Uncompressed UTF-8: the text's byte N is the file's byte BomLength + N, so the file can be read in parts.</summary>
        public bool IsPlainUtf8 => !Gzip && Encoding is UTF8Encoding;

        /// <summary>Bytes read from the file on disk (compressed bytes for gzip): progress against <see cref="Length"/>.</summary>
        public long Position
        {
            get { try { return file.Position; } catch (ObjectDisposedException) { return file.CanSeek ? Length : 0; } }
        }
        public long Length { get; private set; }

        private static readonly Encoding Utf8NoBom = new UTF8Encoding(false, false);

        public static EvidenceStream Open(string path)
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
            try
            {
                long length = file.Length;
                int b0 = file.ReadByte(), b1 = file.ReadByte();
                file.Position = 0;
                bool gzip = b0 == 0x1f && b1 == 0x8b;
                Stream inner = file;
                if (gzip)
                {
                    // GZipStream ends quietly on a truncated member; the trailer's length (ISIZE) tells.
                    uint isize = 0;
                    if (length >= 18)
                    {
                        file.Position = length - 4;
                        isize = (uint)(file.ReadByte() | file.ReadByte() << 8 | file.ReadByte() << 16 | file.ReadByte() << 24);
                        file.Position = 0;
                    }
                    inner = new GzipLengthCheck(new GZipStream(file, CompressionMode.Decompress, leaveOpen: false), isize, length >= 18);
                }
                var s = new EvidenceStream(path, file, new PeekableStream(inner), gzip) { Length = length };
                s.Sniff();
                return s;
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        private void Sniff()
        {
            int n = content.Peek(SniffBytes, out var prefix);
            int bom = 0;
            if (n >= 3 && prefix[0] == 0xEF && prefix[1] == 0xBB && prefix[2] == 0xBF) bom = 3;
            else if (n >= 2 && prefix[0] == 0xFF && prefix[1] == 0xFE) { bom = 2; SetUtf16(false); }
            else if (n >= 2 && prefix[0] == 0xFE && prefix[1] == 0xFF) { bom = 2; SetUtf16(true); }
            else if (n >= 2 && prefix[0] != 0 && prefix[1] == 0) SetUtf16(false);
            else if (n >= 2 && prefix[0] == 0 && prefix[1] != 0) SetUtf16(true);
            content.Skip(bom);
            BomLength = bom;
            PrefixIsWhole = n < SniffBytes;
            if (n >= 4 && prefix[0] == (byte)'P' && prefix[1] == (byte)'K' && prefix[2] == 3 && prefix[3] == 4)
                NotText = "a zip archive or Excel workbook, not a text export (save the sheet as CSV)";

            if (Encoding is UTF8Encoding)
            {
                Utf8Prefix = new byte[n - bom];
                Buffer.BlockCopy(prefix, bom, Utf8Prefix, 0, n - bom);
                // A stray NUL inside one field is a damaged row, not a binary file: several NULs mean binary.
                if (NotText == null && (CountNul(Utf8Prefix) >= 3 || CountNul(Utf8Prefix) * 64 > Utf8Prefix.Length)) NotText = "a binary file, not a text export";
                if (NotText == null && !IsValidUtf8(Utf8Prefix, PrefixIsWhole))
                    EncodingWarning = "the file is not valid UTF-8 (an ANSI export?); its non-ASCII characters read as U+FFFD. Export it as UTF-8";
            }
            else
            {
                int usable = (n - bom) & ~1;
                string text = Encoding.GetString(prefix, bom, usable);
                Utf8Prefix = Utf8NoBom.GetBytes(text);
            }
            FirstChar = '\0';
            foreach (byte b in Utf8Prefix)
            {
                if (b == ' ' || b == '\t' || b == '\r' || b == '\n') continue;
                FirstChar = (char)b;
                break;
            }
        }

        private static int CountNul(byte[] bytes)
        {
            int n = 0;
            foreach (var b in bytes) if (b == 0) n++;
            return n;
        }

        private static bool IsValidUtf8(byte[] bytes, bool whole)
        {
            // A cut-off prefix may end inside a character: check up to its last line break only.
            int count = whole ? bytes.Length : Array.LastIndexOf(bytes, (byte)'\n') + 1;
            try
            {
                new UTF8Encoding(false, true).GetCharCount(bytes, 0, count);
                return true;
            }
            catch (DecoderFallbackException)
            {
                return false;
            }
        }

        private void SetUtf16(bool bigEndian)
        {
            Encoding = new UnicodeEncoding(bigEndian, false, false);
            EncodingName = bigEndian ? "UTF-16BE" : "UTF-16LE";
        }

        /// <summary>The content as text (BOM removed).</summary>
        public TextReader OpenText() => new StreamReader(content, Encoding, false, 1 << 16);

        /// <summary>The content as UTF-8 bytes (BOM removed; UTF-16 transcoded).</summary>
        public Stream OpenUtf8() => Encoding is UTF8Encoding ? (Stream)content : new Utf8TranscodingStream(OpenText());

        public void Dispose()
        {
            content.Dispose();
            file.Dispose();
        }

        /// <summary>A gzip file that inflated cleanly but shorter than its trailer says: a cut copy, rows lost.</summary>
        internal sealed class TruncatedGzipException : IOException
        {
            public TruncatedGzipException(string message) : base(message) { }
        }

        /// <summary>What the three wrappers below share: read-only, forward-only.</summary>
        private abstract class ForwardReadStream : Stream
        {
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }

        /// <summary>Counts the bytes a gzip member inflates to and, at its end, compares them with the trailer.</summary>
        private sealed class GzipLengthCheck : ForwardReadStream
        {
            private readonly Stream inner;
            private readonly uint expected;
            private readonly bool hasTrailer;
            private long count;

            public GzipLengthCheck(Stream inner, uint expected, bool hasTrailer) { this.inner = inner; this.expected = expected; this.hasTrailer = hasTrailer; }

            public override int Read(byte[] buffer, int offset, int count)
            {
                int n = inner.Read(buffer, offset, count);
                this.count += n;
                if (n == 0 && count > 0 && (!hasTrailer || (uint)this.count != expected))
                    throw new TruncatedGzipException($"the gzip data ends early or is damaged (it inflates to {this.count} bytes; its trailer says {expected})");
                return n;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) inner.Dispose();
                base.Dispose(disposing);
            }
        }

        /// <summary>Lets the start of a (non-seekable, e.g. gzip) stream be examined, then read from the start.</summary>
        private sealed class PeekableStream : ForwardReadStream
        {
            private readonly Stream inner;
            private byte[] prefix = Array.Empty<byte>();
            private int prefixPos, prefixLen;

            public PeekableStream(Stream inner) { this.inner = inner; }

            public int Peek(int count, out byte[] bytes)
            {
                prefix = new byte[count];
                while (prefixLen < count)
                {
                    int n = inner.Read(prefix, prefixLen, count - prefixLen);
                    if (n == 0) break;
                    prefixLen += n;
                }
                bytes = prefix;
                return prefixLen;
            }

            public void Skip(int count) => prefixPos += Math.Min(count, prefixLen - prefixPos);

            public override int Read(byte[] buffer, int offset, int count)
            {
                if (prefixPos < prefixLen)
                {
                    int n = Math.Min(count, prefixLen - prefixPos);
                    Buffer.BlockCopy(prefix, prefixPos, buffer, offset, n);
                    prefixPos += n;
                    if (prefixPos == prefixLen) prefix = Array.Empty<byte>();
                    if (n == count) return n;
                    // Fill the rest from the stream so that callers get full blocks.
                    int m = inner.Read(buffer, offset + n, count - n);
                    return n + m;
                }
                return inner.Read(buffer, offset, count);
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) inner.Dispose();
                base.Dispose(disposing);
            }
        }

        /// <summary>Text (UTF-16 files) re-encoded as UTF-8 for Utf8JsonReader.</summary>
        private sealed class Utf8TranscodingStream : ForwardReadStream
        {
            private readonly TextReader reader;
            private readonly Encoder encoder = new UTF8Encoding(false, false).GetEncoder();
            private readonly char[] chars = new char[16 * 1024];
            private readonly byte[] bytes = new byte[3 * 16 * 1024 + 8];
            private int bytePos, byteLen;
            private bool done;

            public Utf8TranscodingStream(TextReader reader) { this.reader = reader; }

            public override int Read(byte[] buffer, int offset, int count)
            {
                while (bytePos == byteLen)
                {
                    if (done) return 0;
                    int n = reader.Read(chars, 0, chars.Length);
                    bytePos = 0;
                    if (n == 0)
                    {
                        done = true;
                        byteLen = encoder.GetBytes(chars, 0, 0, bytes, 0, flush: true);
                    }
                    else byteLen = encoder.GetBytes(chars, 0, n, bytes, 0, flush: false);
                }
                int m = Math.Min(count, byteLen - bytePos);
                Buffer.BlockCopy(bytes, bytePos, buffer, offset, m);
                bytePos += m;
                return m;
            }

            protected override void Dispose(bool disposing)
            {
                if (disposing) reader.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
