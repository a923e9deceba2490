using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace RunCommandHunt.Bench
{
    /// <summary>Process-wide resource figures a child reports about itself.</summary>
    public readonly struct ProcessStats
    {
        public long PeakWorkingSetBytes { get; init; }
        public long AllocatedBytes { get; init; }
        public long ManagedHeapBytes { get; init; }
        public double GcPauseSeconds { get; init; }
        public int Gen0 { get; init; }
        public int Gen1 { get; init; }
        public int Gen2 { get; init; }
        public double CpuSeconds { get; init; }

        public static ProcessStats Now()
        {
            using var self = Process.GetCurrentProcess();
            return new ProcessStats
            {
                PeakWorkingSetBytes = PeakResidentBytes(self),
                AllocatedBytes = GC.GetTotalAllocatedBytes(precise: false),
                ManagedHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
                GcPauseSeconds = GC.GetTotalPauseDuration().TotalSeconds,
                Gen0 = GC.CollectionCount(0),
                Gen1 = GC.CollectionCount(1),
                Gen2 = GC.CollectionCount(2),
                CpuSeconds = self.TotalProcessorTime.TotalSeconds,
            };
        }

        /// <summary>
        /// Peak resident set size. On Linux Process.PeakWorkingSet64 of an exited child is not available, so each child
        /// reads its own high-water mark (VmHWM, native memory included: DuckDB's buffers, the CLR, the GC heap).
        /// </summary>
        public static long PeakResidentBytes(Process self)
        {
            const string status = "/proc/self/status";
            if (File.Exists(status))
            {
                foreach (var line in File.ReadLines(status))
                {
                    if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
                    // "VmHWM:\t  123456 kB"
                    var parts = line.Substring(6).Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                        return kb * 1024;
                    throw new InvalidDataException($"{status}: cannot read '{line}'");
                }
            }
            self.Refresh();
            return self.PeakWorkingSet64;
        }
    }
}
