using System;
using System.Security.Cryptography;
using System.Text;

namespace RunCommandHunt.Engine.Reporting
{
    /// <summary>RFC 4122 version-5 UUIDs: the same namespace and name always give the same GUID.</summary>
    public static class NameBasedGuid
    {
        public static Guid Create(Guid ns, string name)
        {
            var nsBytes = ToNetworkOrder(ns.ToByteArray());
            var nameBytes = Encoding.UTF8.GetBytes(name);
            byte[] hash;
            using (var sha1 = SHA1.Create())
            {
                var input = new byte[nsBytes.Length + nameBytes.Length];
                Buffer.BlockCopy(nsBytes, 0, input, 0, nsBytes.Length);
                Buffer.BlockCopy(nameBytes, 0, input, nsBytes.Length, nameBytes.Length);
                hash = sha1.ComputeHash(input);
            }
            var g = new byte[16];
            Array.Copy(hash, g, 16);
            g[6] = (byte)((g[6] & 0x0F) | 0x50); // version 5
            g[8] = (byte)((g[8] & 0x3F) | 0x80); // RFC 4122 variant
            return new Guid(ToNetworkOrder(g));
        }

        // Guid.ToByteArray is little-endian in its first three fields; RFC 4122 hashes the big-endian form.
        private static byte[] ToNetworkOrder(byte[] b)
        {
            var r = (byte[])b.Clone();
            Swap(r, 0, 3); Swap(r, 1, 2); Swap(r, 4, 5); Swap(r, 6, 7);
            return r;
        }

        private static void Swap(byte[] b, int i, int j) { var t = b[i]; b[i] = b[j]; b[j] = t; }
    }
}
