using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace RunCommandHunt.Bench
{
    /// <summary>What one measured child process reports to the parent (written as JSON to the --result file).
    /// Shared with the engine profiler, which writes the same shape.</summary>
    public sealed class ChildResult
    {
        public string Run { get; set; } = "";
        /// <summary>Time the child spent on the hunt itself (reading, joining, output), after host start-up.</summary>
        public double HuntSeconds { get; set; }
        /// <summary>Hosted PowerShell only: opening the runspace, Import-Module, time to the first output object.</summary>
        public double RunspaceSeconds { get; set; }
        public double ImportSeconds { get; set; }
        public double FirstResultSeconds { get; set; }
        public long PeakWorkingSetBytes { get; set; }
        public long AllocatedBytes { get; set; }
        public long ManagedHeapBytes { get; set; }
        public double GcPauseSeconds { get; set; }
        public int Gen0Collections { get; set; }
        public int Gen1Collections { get; set; }
        public int Gen2Collections { get; set; }
        public double CpuSeconds { get; set; }
        /// <summary>Rows the run read, per table (module: its own per-file accounting; DuckDB: COUNT(*)).</summary>
        public Dictionary<string, long> RowsRead { get; set; } = new Dictionary<string, long>();
        public Dictionary<string, long> RowsUsed { get; set; } = new Dictionary<string, long>();
        public long ErrorCount { get; set; }
        public List<string> Errors { get; set; } = new List<string>();
        /// <summary>Rows of RunCommandData (the rule's totals); 0 where the run does not compute it.</summary>
        public long Totals { get; set; }
        public List<Finding> Findings { get; set; } = new List<Finding>();
        /// <summary>Further named figures in seconds (start-up experiments), in the order measured.</summary>
        public List<Figure> Figures { get; set; } = new List<Figure>();
        /// <summary>Engine profiler only: one entry per stage or experiment, in order.</summary>
        public List<Stage> Stages { get; set; } = new List<Stage>();

        private static readonly JsonSerializerOptions Options = new JsonSerializerOptions { WriteIndented = true };

        public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Options));

        public static ChildResult Load(string path) =>
            JsonSerializer.Deserialize<ChildResult>(File.ReadAllText(path), Options)
            ?? throw new InvalidDataException($"{path}: empty child result");

        /// <summary>Fills the process-wide figures; call last, just before the child exits.</summary>
        public void CaptureProcessStats()
        {
            var stats = ProcessStats.Now();
            PeakWorkingSetBytes = stats.PeakWorkingSetBytes;
            AllocatedBytes = stats.AllocatedBytes;
            ManagedHeapBytes = stats.ManagedHeapBytes;
            GcPauseSeconds = stats.GcPauseSeconds;
            Gen0Collections = stats.Gen0;
            Gen1Collections = stats.Gen1;
            Gen2Collections = stats.Gen2;
            CpuSeconds = stats.CpuSeconds;
        }
    }

    /// <summary>One finding, reduced to what identifies it across engines.</summary>
    public sealed class Finding
    {
        public string CorrelationId { get; set; } = "";
        public string VirtualMachineName { get; set; } = "";
        /// <summary>StartTime in 100-ns ticks since 0001-01-01 UTC (Kusto's resolution).</summary>
        public long StartTimeTicks { get; set; }
        public string PowershellFileName { get; set; } = "";
        public string ScriptFingerprintHash { get; set; } = "";
        public long HashCount { get; set; }
        public double Prevalence { get; set; }

        public string Key => string.Join("|", CorrelationId.ToLowerInvariant(), VirtualMachineName, StartTimeTicks.ToString(System.Globalization.CultureInfo.InvariantCulture), PowershellFileName, ScriptFingerprintHash);

        public override string ToString() =>
            $"{new DateTime(StartTimeTicks, DateTimeKind.Utc):yyyy-MM-ddTHH:mm:ss.fffffffZ} {VirtualMachineName} {CorrelationId} {PowershellFileName} {ScriptFingerprintHash}";
    }

    /// <summary>A named measurement: wall seconds and the process's CPU seconds over the same span.</summary>
    public sealed class Figure
    {
        public string Name { get; set; } = "";
        public double Seconds { get; set; }
        public double CpuSeconds { get; set; }
        /// <summary>Time the JIT compiler spent in the step, on any thread (System.Runtime.JitInfo), and methods it compiled.</summary>
        public double JitSeconds { get; set; }
        public long JitMethods { get; set; }
    }

    /// <summary>A stage of the engine profile.</summary>
    public sealed class Stage
    {
        public string Name { get; set; } = "";
        public double Seconds { get; set; }
        /// <summary>CPU of the whole process over the stage (GC threads included); less disturbed by other load than wall time.</summary>
        public double CpuSeconds { get; set; }
        public long AllocatedBytes { get; set; }
        /// <summary>Managed heap still live after the stage (after a full collection, outside the timing).</summary>
        public long LiveHeapBytes { get; set; }
        public double GcPauseSeconds { get; set; }
        public long Rows { get; set; }
        public string Note { get; set; } = "";
    }
}
