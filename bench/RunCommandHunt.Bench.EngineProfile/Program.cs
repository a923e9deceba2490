using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Fingerprinting;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;

namespace RunCommandHunt.Bench.EngineProfile
{
    /// <summary>
    /// The module's work without PowerShell, stage by stage as the cmdlets do it (read AzureActivity, build operations,
    /// read DeviceFileEvents, read DeviceEvents, correlate, fingerprint), each timed with its allocations, GC pauses and
    /// the heap still live after it; then experiments that bound the reading cost (raw bytes, raw lines, parse and map
    /// with nothing kept) and show what the vectorised CSV index brings (DeviceEvents read again with it and without).
    /// Usage: RunCommandHunt.Bench.EngineProfile --data DIR --mode default|ar --result FILE
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            string? data = null, mode = null, resultPath = null;
            for (int i = 0; i + 1 < args.Length; i += 2)
            {
                switch (args[i])
                {
                    case "--data": data = args[i + 1]; break;
                    case "--mode": mode = args[i + 1]; break;
                    case "--result": resultPath = args[i + 1]; break;
                    default: Console.Error.WriteLine($"error: unknown argument '{args[i]}'"); return 2;
                }
            }
            if (data == null || resultPath == null || (mode != "default" && mode != "ar"))
            {
                Console.Error.WriteLine("usage: RunCommandHunt.Bench.EngineProfile --data DIR --mode default|ar --result FILE");
                return 2;
            }
            var compatibility = mode == "ar" ? CompatibilityMode.AnalyticRule : CompatibilityMode.None;
            var result = Profile(data, compatibility);
            result.CaptureProcessStats();
            result.Save(resultPath);
            return 0;
        }

        private sealed class CountingLog : IHuntLog
        {
            public long Rejected;
            public readonly List<string> First = new List<string>();
            public void Verbose(string message) { }
            public void Warning(string message) { lock (First) if (First.Count < 5) First.Add("warning: " + message); }
            public void RowRejected(EvidenceRowError error)
            {
                System.Threading.Interlocked.Increment(ref Rejected);
                lock (First) if (First.Count < 5) First.Add(error.ToString());
            }
            public void Progress(string activity, string status, int percent) { }
        }

        private static ChildResult Profile(string data, CompatibilityMode mode)
        {
            var result = new ChildResult { Run = "engine " + (mode == CompatibilityMode.None ? "default" : "AnalyticRule") };
            var log = new CountingLog();
            var reader = new EvidenceReader(log);

            var files = Measure(result, "resolve files", () => reader.Resolve(new[] { data }), f => f.Count);
            List<EvidenceFile> Of(EvidenceTable t) => files.Where(f => f.Table == t).ToList();

            // As the cmdlets do it: AzureActivity rows folded into operations as they are read, DeviceEvents into a DeviceEventFold.
            var operations = Measure(result, "read AzureActivity, build operations",
                () => reader.FoldAzureActivity(Of(EvidenceTable.AzureActivity), RelevanceFilters.AzureActivity(mode), new OperationFold(mode)).Build().ToList(),
                l => l.Count);
            var fileEvents = Measure(result, "read DeviceFileEvents",
                () => reader.ReadDeviceFileEvents(Of(EvidenceTable.DeviceFileEvents), RelevanceFilters.DeviceFileEvents(mode)).ToList(), l => l.Count);
            var deviceEvents = Measure(result, "read DeviceEvents",
                () => reader.FoldDeviceEvents(Of(EvidenceTable.DeviceEvents), RelevanceFilters.DeviceEvents(mode), new DeviceEventFold(mode)), f => f.Count);
            var executions = Measure(result, "correlate",
                () => ScriptExecutionCorrelator.Correlate(operations, fileEvents, deviceEvents, Array.Empty<DeviceProcessEventRecord>()).ToList(), l => l.Count);
            var unique = Measure(result, "fingerprint, find unique", () => UniqueScriptFinder.Find(executions, mode).ToList(), l => l.Count);
            result.HuntSeconds = result.Stages.Sum(s => s.Seconds);

            foreach (var s in reader.Statistics)
            {
                result.RowsRead[s.Table.ToString()] = (result.RowsRead.TryGetValue(s.Table.ToString(), out var r) ? r : 0) + s.Read;
                result.RowsUsed[s.Table.ToString()] = (result.RowsUsed.TryGetValue(s.Table.ToString(), out var u) ? u : 0) + s.Used;
            }
            foreach (var u in unique)
            {
                result.Findings.Add(new Finding
                {
                    CorrelationId = u.CorrelationId,
                    VirtualMachineName = u.VirtualMachineName,
                    StartTimeTicks = u.StartTime.Ticks,
                    PowershellFileName = u.PowershellFileName,
                    ScriptFingerprintHash = u.ScriptFingerprintHash,
                    HashCount = u.HashCount,
                    Prevalence = u.Prevalence,
                });
            }
            result.Totals = executions.Count;
            result.ErrorCount = log.Rejected;
            result.Errors = log.First;

            // Experiments, not part of the hunt: what reading costs at the floor.
            operations = null; fileEvents = null; deviceEvents = null; executions = null;
            var deviceEventFiles = Of(EvidenceTable.DeviceEvents);
            Measure(result, "experiment: read the bytes of all files", () => files.Sum(f => ReadBytes(f.Path)), n => n, note: "bytes");
            Measure(result, "experiment: DeviceEvents lines (StreamReader.ReadLine)", () => deviceEventFiles.Sum(f => CountLines(f.Path)), n => n);
            Measure(result, "experiment: DeviceEvents parse + map, keep none",
                () => reader.ReadDeviceEvents(deviceEventFiles, _ => false).LongCount() + reader.Statistics.Last().Read, n => n);
            // What the vectorised CSV index brings: the hunt's DeviceEvents read (prefilter and fold included) with it,
            // and with the readers' own row parsers, three times each, alternating, after the hunt above (so with the
            // code compiled); the fastest of each is kept, as single runs move by 10-20 % on a shared machine.
            var best = new Stage?[2];
            for (int round = 0; round < 6; round++)
            {
                bool on = round % 2 == 0;
                Environment.SetEnvironmentVariable("RUNCOMMANDHUNT_CSV_INDEX", on ? null : "0");
                var stage = Time(() => reader.FoldDeviceEvents(Of(EvidenceTable.DeviceEvents), RelevanceFilters.DeviceEvents(mode), new DeviceEventFold(mode)), f => f.Count);
                int k = on ? 0 : 1;
                if (best[k] == null || stage.CpuSeconds < best[k]!.CpuSeconds) best[k] = stage;
            }
            Environment.SetEnvironmentVariable("RUNCOMMANDHUNT_CSV_INDEX", null);
            foreach (var (stage, name) in new[] { (best[0]!, "on"), (best[1]!, "off") })
            {
                stage.Name = "experiment: DeviceEvents again, CSV index " + name;
                stage.Note = "fastest of 3" + (name == "off" ? ", RUNCOMMANDHUNT_CSV_INDEX=0" : "");
                result.Stages.Add(stage);
                Console.WriteLine($"{stage.Name}: {stage.Seconds:0.000} s ({stage.CpuSeconds:0.000} s CPU), fastest of 3");
            }
            return result;
        }

        private static T Measure<T>(ChildResult result, string name, Func<T> stage, Func<T, long> rows, string note = "") =>
            Measure(result, name, stage, rows, out _, note);

        /// <summary>Times one stage and returns its figures without recording them (the caller keeps the fastest).</summary>
        private static Stage Time<T>(Func<T> stage, Func<T, long> rows)
        {
            Measure(null, "", stage, rows, out var figures);
            return figures;
        }

        private static T Measure<T>(ChildResult? result, string name, Func<T> stage, Func<T, long> rows, out Stage figures, string note = "")
        {
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            var pause = GC.GetTotalPauseDuration();
            using var self = Process.GetCurrentProcess();
            var cpu = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var value = stage();
            double seconds = clock.Elapsed.TotalSeconds;
            self.Refresh();
            double cpuSeconds = (self.TotalProcessorTime - cpu).TotalSeconds;
            var s = new Stage
            {
                Name = name,
                Seconds = seconds,
                CpuSeconds = cpuSeconds,
                AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocated,
                GcPauseSeconds = (GC.GetTotalPauseDuration() - pause).TotalSeconds,
                Rows = rows(value),
                Note = note,
            };
            // Outside the timing: what the stage leaves alive (its output plus everything before it still held).
            s.LiveHeapBytes = GC.GetTotalMemory(forceFullCollection: true);
            figures = s;
            if (result == null) return value;
            result.Stages.Add(s);
            Console.WriteLine($"{name}: {seconds:0.000} s ({cpuSeconds:0.000} s CPU), {s.AllocatedBytes / 1048576.0:0} MiB allocated, {s.LiveHeapBytes / 1048576.0:0} MiB live, {s.Rows} rows");
            return value;
        }

        private static long ReadBytes(string path)
        {
            var buffer = new byte[1 << 20];
            long total = 0;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) total += n;
            return total;
        }

        private static long CountLines(string path)
        {
            long lines = 0;
            using var reader = new StreamReader(path, Encoding.UTF8, true, 1 << 16);
            while (reader.ReadLine() != null) lines++;
            return lines;
        }
    }
}
