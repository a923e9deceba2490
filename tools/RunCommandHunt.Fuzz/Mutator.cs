using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace RunCommandHunt.Fuzz
{
    /// <summary>Cheap structure-blind mutations of corpus files: bit flips, interesting bytes, cuts, repeats, deletions,
    /// splices of two files, and re-encodings (gzip, UTF-16) so that the decoders see damage too.</summary>
    public static class Mutator
    {
        private static readonly byte[] Interesting =
            { (byte)'"', (byte)',', (byte)';', (byte)'\t', (byte)'\n', (byte)'\r', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)':',
              (byte)'\\', 0, 0xFF, 0xFE, 0xEF, 0xBB, 0xBF, 0xC3, 0x80, 0x1F, 0x8B, (byte)'0', (byte)'-', (byte)'T', (byte)'Z' };

        public static byte[] Mutate(IReadOnlyList<byte[]> seeds, Random rng)
        {
            var b = new List<byte>(seeds[rng.Next(seeds.Count)]);
            int edits = 1 + rng.Next(8);
            for (int e = 0; e < edits; e++)
            {
                if (b.Count == 0) b.Add(Interesting[rng.Next(Interesting.Length)]);
                int at = rng.Next(b.Count);
                int length = Math.Min(1 + rng.Next(256), b.Count - at);
                switch (rng.Next(9))
                {
                    case 0: b[at] ^= (byte)(1 << rng.Next(8)); break;
                    case 1: b[at] = Interesting[rng.Next(Interesting.Length)]; break;
                    case 2: b.Insert(at, Interesting[rng.Next(Interesting.Length)]); break;
                    case 3: b.RemoveRange(at, b.Count - at); break;
                    case 4: b.InsertRange(at, b.GetRange(at, length)); break;
                    case 5: b.RemoveRange(at, length); break;
                    case 6:
                    {
                        var other = seeds[rng.Next(seeds.Count)];
                        if (other.Length == 0) break;
                        int from = rng.Next(other.Length);
                        b.InsertRange(at, new ArraySegment<byte>(other, from, Math.Min(other.Length - from, 1 + rng.Next(512))));
                        break;
                    }
                    case 7: b[at] = (byte)rng.Next(256); break;
                    default:
                        // Re-encode what there is now, then later edits damage the encoded form.
                        b = new List<byte>(rng.Next(3) == 0 ? Utf16(b.ToArray(), rng.Next(2) == 0) : Gzip(b.ToArray()));
                        break;
                }
            }
            return b.ToArray();
        }

        private static byte[] Gzip(byte[] data)
        {
            using var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data, 0, data.Length);
            return ms.ToArray();
        }

        private static byte[] Utf16(byte[] data, bool bigEndian)
        {
            var text = System.Text.Encoding.UTF8.GetString(data);
            var encoding = new System.Text.UnicodeEncoding(bigEndian, true);
            var bytes = new List<byte>(encoding.GetPreamble());
            bytes.AddRange(encoding.GetBytes(text));
            return bytes.ToArray();
        }
    }
}
