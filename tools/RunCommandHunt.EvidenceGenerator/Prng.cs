using System;
using System.Collections.Generic;

namespace RunCommandHunt.EvidenceGenerator
{
    /// <summary>xoshiro256** seeded by SplitMix64. Hand-written because System.Random's algorithm is not
    /// promised to stay the same across .NET versions, and the bundled samples must be reproducible.</summary>
    internal sealed class Prng
    {
        private ulong _s0, _s1, _s2, _s3;

        public Prng(ulong seed)
        {
            ulong x = seed;
            _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
        }

        private static ulong SplitMix(ref ulong x)
        {
            x += 0x9E3779B97F4A7C15UL;
            ulong z = x;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        private static ulong RotL(ulong v, int k) => (v << k) | (v >> (64 - k));

        public ulong NextUInt64()
        {
            ulong result = RotL(_s1 * 5, 7) * 9;
            ulong t = _s1 << 17;
            _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t;
            _s3 = RotL(_s3, 45);
            return result;
        }

        /// <summary>An independent stream, so one part of the output can change without shifting the others.</summary>
        public Prng Fork() => new Prng(NextUInt64());

        public int Next(int maxExclusive) => maxExclusive <= 0
            ? throw new ArgumentOutOfRangeException(nameof(maxExclusive))
            : (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);

        public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / 9007199254740992.0);

        public double Range(double min, double max) => min + (max - min) * NextDouble();

        public bool Chance(double p) => NextDouble() < p;

        public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

        public T PickWeighted<T>(IReadOnlyList<(T Item, double Weight)> items)
        {
            double total = 0;
            for (int i = 0; i < items.Count; i++) total += items[i].Weight;
            double r = NextDouble() * total;
            for (int i = 0; i < items.Count; i++)
            {
                r -= items[i].Weight;
                if (r < 0) return items[i].Item;
            }
            return items[items.Count - 1].Item;
        }

        /// <summary>Ticks of a duration in seconds drawn uniformly from [min, max).</summary>
        public long Seconds(double min, double max) => (long)(Range(min, max) * TimeSpan.TicksPerSecond);

        public Guid NextGuid()
        {
            Span<byte> b = stackalloc byte[16];
            BitConverter.TryWriteBytes(b, NextUInt64());
            BitConverter.TryWriteBytes(b.Slice(8), NextUInt64());
            b[7] = (byte)((b[7] & 0x0F) | 0x40); // version 4
            b[8] = (byte)((b[8] & 0x3F) | 0x80); // RFC 4122 variant
            return new Guid(b);
        }

        public string GuidText() => NextGuid().ToString("D");

        public string Hex(int bytes)
        {
            Span<byte> b = stackalloc byte[bytes];
            for (int i = 0; i < bytes; i += 8)
            {
                ulong v = NextUInt64();
                for (int j = 0; j < 8 && i + j < bytes; j++) b[i + j] = (byte)(v >> (8 * j));
            }
            return Convert.ToHexStringLower(b);
        }

        /// <summary>A Windows process id: a multiple of 4.</summary>
        public long ProcessId() => 4L * Next(200, 9000);
    }
}
