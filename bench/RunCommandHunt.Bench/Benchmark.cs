using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace RunCommandHunt.Bench
{
    /// <summary>One engine and mode, run --repeat times, each in a fresh process.</summary>
    internal sealed class Measured
    {
        public string Name = "";
        public List<double> Walls = new List<double>();
        /// <summary>The fastest run's result (wall and hunt figures are of that run).</summary>
        public ChildResult Result = new ChildResult();
        public double Wall => Walls.Min();
        /// <summary>The highest peak over the repeats: memory is judged on the worst run.</summary>
        public long Peak;
        public long RowsIn;
    }

    internal sealed class SizeRun
    {
        public EvidenceSet Set = null!;
        public Measured ModuleDefault = null!, ModuleAr = null!, DuckCorrected = null!, DuckAr = null!;
        public ChildResult? ProfileDefault, ProfileAr;
    }

    /// <summary>The parent: prepares evidence, starts every measured child, checks and prints.</summary>
    internal sealed class Benchmark
    {
        private readonly BenchOptions options;
        private readonly TextWriter console;
        private readonly List<(bool Pass, string Text)> checks = new List<(bool, string)>();
        private readonly List<(bool Pass, string Text)> targets = new List<(bool, string)>();
        private string workDir = "";
        private string? hostDll;
        private StreamWriter? reportFile;

        public Benchmark(BenchOptions options, TextWriter console)
        {
            this.options = options;
            this.console = console;
        }

        private void Say(string line)
        {
            console.WriteLine(line);
            reportFile?.WriteLine(line);
        }

        public int Run()
        {
            if (!File.Exists(options.Manifest))
                throw new FileNotFoundException($"{options.Manifest}: no assembled module there. Build it (dotnet build src/RunCommandHunt -c Release) or pass --module DIR.", options.Manifest);
            workDir = Path.Combine(options.OutDir, "runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            Directory.CreateDirectory(workDir);
            using (reportFile = new StreamWriter(Path.Combine(workDir, "report.txt")) { AutoFlush = true })
            {
                Say("RunCommandHunt benchmark: the built module in hosted PowerShell 7 against DuckDB " + DuckDbVersion() + ", same CSV evidence");
                Say($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1073741824.0:0.0} GiB, " +
                    $"{RuntimeInformation.OSDescription}, .NET {Environment.Version}; load average {LoadAverage()}");
                Say($"module: {options.ModuleDir}");
                Say($"logs and child results: {workDir}");
                hostDll = PrecompiledHost.Ensure(options, workDir, Say);
                Say(hostDll != null
                    ? $"measured processes: {hostDll} (ReadyToRun, as pwsh ships PowerShell)"
                    : "measured processes: this build (IL-only PowerShell: start-up includes compiling PowerShell itself)");
                Say("");

                var sizes = new List<long>();
                if (!options.StartupOnly)
                {
                    sizes.Add(options.Rows);
                    if (options.Scale > 1) sizes.Add(options.Rows * options.Scale);
                }
                var runs = new List<SizeRun>();
                foreach (var rows in sizes)
                {
                    var run = RunSize(rows);
                    runs.Add(run);
                    PrintSize(run);
                }
                var startup = options.StartupRepeat > 0 ? RunStartup() : null;

                Say("== Checks (correctness; any FAIL makes the exit code 1) ==");
                foreach (var run in runs) Check(run);
                if (startup != null)
                {
                    var failed = startup.Where(r => r.Result.Errors.Count > 0 || r.Result.Findings.Count == 0).ToList();
                    checks.Add((failed.Count == 0, $"start-up: every process imported the module and the samples hunt wrote objects without error record " +
                        $"({startup.Count - failed.Count} of {startup.Count}){(failed.Count > 0 && failed[0].Result.Errors.Count > 0 ? ": " + failed[0].Result.Errors[0] : "")}"));
                }
                foreach (var c in checks) Say($"  CHECK  {(c.Pass ? "PASS" : "FAIL")}  {c.Text}");
                Say("");
                Say("== Targets (performance goals; reported, not part of the exit code) ==");
                foreach (var run in runs) Target(run);
                if (runs.Count == 2) ScaleTargets(runs[0], runs[1]);
                if (startup != null) StartupTarget(startup);
                foreach (var t in targets) Say($"  TARGET {(t.Pass ? "PASS" : "FAIL")}  {t.Text}");
                Say("");
                Say($"load average at the end: {LoadAverage()}. Report written to {Path.Combine(workDir, "report.txt")}");
                return checks.All(c => c.Pass) ? 0 : 1;
            }
        }

        // ------------------------------------------------------------------ running

        private SizeRun RunSize(long rows)
        {
            var run = new SizeRun { Set = EvidenceSet.Prepare(options, rows, workDir, Say) };
            var set = run.Set;
            Say($"== {set.TotalRows:N0} rows ({string.Join(", ", set.GeneratedRows.Select(kv => $"{kv.Key} {kv.Value:N0}"))}; " +
                $"{set.Bytes / 1048576.0:N0} MiB of CSV; seed {set.Seed}) ==");
            run.ModuleDefault = new Measured { Name = "module default" };
            run.ModuleAr = new Measured { Name = "module AnalyticRule" };
            run.DuckCorrected = new Measured { Name = "DuckDB corrected" };
            run.DuckAr = new Measured { Name = "DuckDB AnalyticRule" };
            for (int r = 1; r <= options.Repeat; r++)
            {
                // Interleaved, so load from other work on the machine falls on every engine alike.
                Measure(run.ModuleDefault, rows, r, "module", "default");
                Measure(run.ModuleAr, rows, r, "module", "ar");
                Measure(run.DuckCorrected, rows, r, "duckdb", "default");
                Measure(run.DuckAr, rows, r, "duckdb", "ar");
            }
            long duckRows = set.DuckDbRows.Values.Sum();
            run.DuckCorrected.RowsIn = duckRows;
            run.DuckAr.RowsIn = duckRows;
            run.ModuleDefault.RowsIn = run.ModuleDefault.Result.RowsRead.Values.Sum();
            run.ModuleAr.RowsIn = run.ModuleAr.Result.RowsRead.Values.Sum();
            if (!options.NoProfile)
            {
                run.ProfileDefault = Profile(rows, "default");
                run.ProfileAr = Profile(rows, "ar");
            }
            return run;
        }

        private void Measure(Measured m, long rows, int repeat, string kind, string mode)
        {
            string tag = $"{kind}-{mode}-{rows}-{repeat}";
            string resultPath = Path.Combine(workDir, tag + ".json");
            var args = new List<string> { "--child", kind, "--data", EvidenceDir(rows), "--mode", mode, "--run", m.Name, "--result", resultPath };
            if (kind == "module") args.AddRange(new[] { "--module", options.Manifest });
            console.Write($"  {m.Name,-20} run {repeat} ... ");
            double wall = ChildProcess.Run(Child(args), Path.Combine(workDir, tag + ".log"));
            var result = ChildResult.Load(resultPath);
            console.WriteLine($"{wall:0.00} s, peak {Mib(result.PeakWorkingSetBytes)} MiB, {result.Findings.Count} finding(s)");
            if (m.Walls.Count == 0 || wall < m.Wall) m.Result = result;
            m.Walls.Add(wall);
            m.Peak = Math.Max(m.Peak, result.PeakWorkingSetBytes);
        }

        private (string File, List<string> Args) Child(IEnumerable<string> args) =>
            hostDll != null ? ChildProcess.Dll(hostDll, args) : ChildProcess.Self(args);

        private ChildResult Profile(long rows, string mode)
        {
            string tag = $"profile-{mode}-{rows}";
            string resultPath = Path.Combine(workDir, tag + ".json");
            console.Write($"  engine profile {mode,-8} ... ");
            double wall = ChildProcess.Run(ChildProcess.Dll(BuildInfo.ProfilerDll, new[] { "--data", EvidenceDir(rows), "--mode", mode, "--result", resultPath }),
                Path.Combine(workDir, tag + ".log"));
            console.WriteLine($"{wall:0.00} s");
            return ChildResult.Load(resultPath);
        }

        private string EvidenceDir(long rows) =>
            Path.Combine(options.OutDir, rows.ToString(CultureInfo.InvariantCulture), options.Seed.ToString(CultureInfo.InvariantCulture), "evidence");

        private List<(double Wall, ChildResult Result)> RunStartup()
        {
            if (!Directory.Exists(options.Samples)) throw new DirectoryNotFoundException($"{options.Samples}: the samples folder is missing (--samples).");
            Say($"== Start-up: Import-Module + first result of the default pipeline on {options.Samples} ==");
            var list = StartupProcesses("startup", options.StartupRepeat, new[] { "--data", options.Samples }, "run");
            // Experiments, in processes of their own: once, or --startup-repeat times with --startup-only.
            int experiments = options.StartupOnly ? options.StartupRepeat : 1;
            Say("  experiment: the same after the runspace ran one trivial script (PowerShell's first-script cost left out, as in an interactive session):");
            StartupProcesses("startup-after-script", experiments, new[] { "--data", options.Samples }, "  run");
            Say("  experiment: Import-Module of RunCommandHunt.dll alone (no manifest, so no script, format or type data):");
            StartupProcesses("import-dll", experiments, Array.Empty<string>(), "  run");
            Say("");
            return list;
        }

        /// <summary>Runs one start-up child kind <paramref name="count"/> times, prints each process and the medians.</summary>
        private List<(double Wall, ChildResult Result)> StartupProcesses(string kind, int count, string[] extra, string label)
        {
            var list = new List<(double Wall, ChildResult Result)>();
            for (int r = 1; r <= count; r++)
            {
                string tag = kind == "startup" ? $"startup-{r}" : $"{kind}-{r}";
                string resultPath = Path.Combine(workDir, tag + ".json");
                var args = new List<string> { "--child", kind, "--module", options.Manifest, "--result", resultPath };
                args.AddRange(extra);
                double wall = ChildProcess.Run(Child(args), Path.Combine(workDir, tag + ".log"));
                var res = ChildResult.Load(resultPath);
                list.Add((wall, res));
                Say($"  {label} {r}: process {wall:0.000} s; " + string.Join("; ", res.Figures.Select(f => $"{f.Name} {f.Seconds * 1000:0} ms (CPU {f.CpuSeconds * 1000:0})")) +
                    (kind == "import-dll" ? "" : $"; {res.Findings.Count} object(s)"));
            }
            // Medians over the processes, wall and CPU, of every figure and of the measured sum.
            if (list.Count > 1)
            {
                string indent = label.StartsWith(" ", StringComparison.Ordinal) ? "    " : "  ";
                Say($"{indent}median of {list.Count}:");
                foreach (var name in list[0].Result.Figures.Select(f => f.Name))
                {
                    var figures = list.Select(x => x.Result.Figures.FirstOrDefault(f => f.Name == name)).Where(f => f != null).Select(f => f!).ToList();
                    Say($"{indent}  {name,-50} {Median(figures.Select(f => f.Seconds)) * 1000,6:0} ms (CPU {Median(figures.Select(f => f.CpuSeconds)) * 1000:0})");
                }
                if (kind != "import-dll")
                    Say($"{indent}  {"Import-Module + first result (cold)",-50} {Median(list.Select(x => x.Result.ImportSeconds + x.Result.FirstResultSeconds)) * 1000,6:0} ms " +
                        $"(CPU {Median(list.Select(x => StartupCpu(x.Result))) * 1000:0})");
            }
            return list;
        }

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }

        /// <summary>CPU of the measured part of one start-up process: the cold import and the cold first result.</summary>
        private static double StartupCpu(ChildResult r) =>
            r.Figures.Where(f => f.Name == "Import-Module (cold)" || f.Name == "first result (cold)").Sum(f => f.CpuSeconds);

        // ------------------------------------------------------------------ printing

        private void PrintSize(SizeRun run)
        {
            Say("");
            Say($"  {"run",-20} {"wall s",8} {"hunt s",8} {"cpu s",7} {"peak MiB",9} {"alloc MiB",10} {"GC pause s",10} {"rows in",11} {"findings",9}");
            foreach (var m in new[] { run.ModuleDefault, run.ModuleAr, run.DuckCorrected, run.DuckAr })
            {
                var r = m.Result;
                string alloc = m.Name.StartsWith("DuckDB", StringComparison.Ordinal) ? "(native)" : Mib(r.AllocatedBytes);
                Say($"  {m.Name,-20} {m.Wall,8:0.00} {r.HuntSeconds,8:0.00} {r.CpuSeconds,7:0.0} {Mib(m.Peak),9} {alloc,10} {r.GcPauseSeconds,10:0.00} {m.RowsIn,11:N0} {r.Findings.Count,9}");
            }
            Say($"  ratio module/DuckDB  default vs corrected: wall {Ratio(run.ModuleDefault.Wall, run.DuckCorrected.Wall)}, peak {Ratio(run.ModuleDefault.Peak, run.DuckCorrected.Peak)}; " +
                $"AnalyticRule: wall {Ratio(run.ModuleAr.Wall, run.DuckAr.Wall)}, peak {Ratio(run.ModuleAr.Peak, run.DuckAr.Peak)}");
            if (options.Repeat > 1)
                foreach (var m in new[] { run.ModuleDefault, run.ModuleAr, run.DuckCorrected, run.DuckAr })
                    Say($"  {m.Name} walls: {string.Join(", ", m.Walls.Select(w => w.ToString("0.00", CultureInfo.InvariantCulture)))} s (fastest shown)");
            Say($"  module start-up inside those walls: runspace {run.ModuleDefault.Result.RunspaceSeconds:0.00} s + Import-Module {run.ModuleDefault.Result.ImportSeconds:0.00} s (default run)");
            foreach (var (profile, module) in new[] { (run.ProfileDefault, run.ModuleDefault), (run.ProfileAr, run.ModuleAr) })
            {
                if (profile == null) continue;
                Say("");
                Say($"  {profile.Run}: the same work without PowerShell, stage by stage (engine only; peak {Mib(profile.PeakWorkingSetBytes)} MiB)");
                Say($"    {"stage",-54} {"wall s",7} {"cpu s",6} {"alloc MiB",10} {"live MiB",9} {"GC s",6} {"rows",13}");
                foreach (var s in profile.Stages)
                    Say($"    {s.Name,-54} {s.Seconds,7:0.00} {s.CpuSeconds,6:0.00} {Mib(s.AllocatedBytes),10} {Mib(s.LiveHeapBytes),9} {s.GcPauseSeconds,6:0.00} {s.Rows,13:N0}{(s.Note.Length > 0 ? " " + s.Note : "")}");
                var hunt = profile.Stages.Where(x => !x.Name.StartsWith("experiment:", StringComparison.Ordinal)).ToList();
                var pipeline = module.Result.Figures.FirstOrDefault(f => f.Name == "pipeline");
                Say($"    hunt stages: {hunt.Sum(x => x.Seconds):0.00} s wall, {hunt.Sum(x => x.CpuSeconds):0.00} s CPU; the module's pipeline: " +
                    $"{module.Result.HuntSeconds:0.00} s wall, {pipeline?.CpuSeconds ?? 0:0.00} s CPU, of which JIT {pipeline?.JitSeconds ?? 0:0.00} s ({pipeline?.JitMethods ?? 0:N0} methods; " +
                    "the rest of the difference is PowerShell binding, pipeline objects, output, or load from other work)");
            }
            Say("");
        }

        private static string Mib(long bytes) => (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture);

        private static string Ratio(double a, double b) => b > 0 ? (a / b).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "n/a";

        // ------------------------------------------------------------------ checks and targets

        private void Check(SizeRun run)
        {
            string at = $"[{run.Set.TotalRows:N0} rows]";
            var set = run.Set;

            // Nothing silently lost: every generated row read, by both engines, and no row rejected.
            foreach (var m in new[] { run.ModuleDefault, run.ModuleAr })
            {
                var r = m.Result;
                bool same = set.GeneratedRows.All(kv => r.RowsRead.TryGetValue(kv.Key, out var n) && n == kv.Value)
                            && set.GeneratedRows.All(kv => set.DuckDbRows.TryGetValue(kv.Key, out var d) && d == kv.Value);
                checks.Add((same && r.ErrorCount == 0,
                    $"{at} {m.Name} read every row: {Rows(r.RowsRead)} vs generated {Rows(set.GeneratedRows)} vs DuckDB {Rows(set.DuckDbRows)}; " +
                    $"{r.ErrorCount} error record(s){(r.Errors.Count > 0 ? ": " + r.Errors[0] : "")}"));
            }

            Compare(at, "module AnalyticRule = DuckDB AnalyticRule", run.ModuleAr.Result.Findings, run.DuckAr.Result.Findings, f => f.Key,
                extra: run.ModuleAr.Result.Findings.Count == 0 || run.ModuleAr.Result.Totals == run.DuckAr.Result.Totals,
                extraText: $"; RunCommandData rows (totals) {run.ModuleAr.Result.Totals} vs {run.DuckAr.Result.Totals}");
            Compare(at, "module default = DuckDB corrected", run.ModuleDefault.Result.Findings, run.DuckCorrected.Result.Findings, f => f.Key);

            if (File.Exists(set.TruthPath))
            {
                var truth = Truth.UniqueScripts(set.TruthPath).Select(u => u.Key).ToList();
                var (ops, succeeded) = Truth.Summary(set.TruthPath);
                CompareKeys(at, $"module default = truth.json unique scripts ({ops} Run Commands, {succeeded} succeeded)",
                    run.ModuleDefault.Result.Findings.Select(Truth.TruthKey).ToList(), truth);
                CompareKeys(at, "DuckDB corrected = truth.json unique scripts", run.DuckCorrected.Result.Findings.Select(Truth.TruthKey).ToList(), truth);
            }
            if (run.ProfileDefault != null)
                Compare(at, "engine profile default = module default (the profile measured the same work)", run.ProfileDefault.Findings, run.ModuleDefault.Result.Findings, f => f.Key);
            if (run.ProfileAr != null)
                Compare(at, "engine profile AnalyticRule = module AnalyticRule", run.ProfileAr.Findings, run.ModuleAr.Result.Findings, f => f.Key);
        }

        private static string Rows(Dictionary<string, long> d) =>
            string.Join("/", DuckDbSql.Tables.Select(t => d.TryGetValue(t, out var n) ? n.ToString(CultureInfo.InvariantCulture) : "-"));

        private void Compare(string at, string what, List<Finding> left, List<Finding> right, Func<Finding, string> key, bool extra = true, string extraText = "")
        {
            CompareKeys(at, what, left.Select(key).ToList(), right.Select(key).ToList(), extra, extraText);
        }

        /// <summary>Multiset equality of finding keys; prints a few of the differences either way.</summary>
        private void CompareKeys(string at, string what, List<string> left, List<string> right, bool extra = true, string extraText = "")
        {
            var onlyLeft = Minus(left, right);
            var onlyRight = Minus(right, left);
            bool pass = onlyLeft.Count == 0 && onlyRight.Count == 0 && extra;
            var text = $"{at} {what}: {left.Count} vs {right.Count} finding(s), {onlyLeft.Count} only left, {onlyRight.Count} only right{extraText}";
            foreach (var k in onlyLeft.Take(3)) text += $"\n           only left:  {k}";
            foreach (var k in onlyRight.Take(3)) text += $"\n           only right: {k}";
            checks.Add((pass, text));
        }

        private static List<string> Minus(List<string> a, List<string> b)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var k in b) counts[k] = counts.TryGetValue(k, out var c) ? c + 1 : 1;
            var rest = new List<string>();
            foreach (var k in a)
            {
                if (counts.TryGetValue(k, out var c) && c > 0) counts[k] = c - 1;
                else rest.Add(k);
            }
            return rest;
        }

        private void Target(SizeRun run)
        {
            string at = $"[{run.Set.TotalRows:N0} rows]";
            foreach (var (module, duck) in new[] { (run.ModuleDefault, run.DuckCorrected), (run.ModuleAr, run.DuckAr) })
            {
                // The hunt itself (the pipeline after Import-Module; the query after the connection opened), then the
                // whole process (each with its own start-up: PowerShell's runspace and the import, .NET and DuckDB's load).
                double mh = module.Result.HuntSeconds, dh = duck.Result.HuntSeconds;
                targets.Add((mh <= 0.5 * dh,
                    $"{at} {module.Name} hunt <= 0.5x {duck.Name} hunt: {mh:0.00} s vs {dh:0.00} s = {Ratio(mh, dh)}"));
                targets.Add((module.Wall <= 0.5 * duck.Wall,
                    $"{at} {module.Name} process wall <= 0.5x {duck.Name}: {module.Wall:0.00} s vs {duck.Wall:0.00} s = {Ratio(module.Wall, duck.Wall)}"));
                targets.Add((module.Peak <= duck.Peak,
                    $"{at} {module.Name} peak <= {duck.Name} peak: {Mib(module.Peak)} MiB vs {Mib(duck.Peak)} MiB = {Ratio(module.Peak, duck.Peak)}"));
            }
        }

        private void ScaleTargets(SizeRun small, SizeRun large)
        {
            double factor = (double)large.Set.TotalRows / small.Set.TotalRows;
            foreach (var (a, b) in new[] { (small.ModuleDefault, large.ModuleDefault), (small.ModuleAr, large.ModuleAr) })
                targets.Add((b.Peak < 1.5 * a.Peak,
                    $"{a.Name} peak at {factor:0.#}x rows < 1.5x the 1x peak: {Mib(b.Peak)} MiB vs {Mib(a.Peak)} MiB = {Ratio(b.Peak, a.Peak)} " +
                    $"(wall {b.Wall:0.0} s vs {a.Wall:0.0} s)"));
            foreach (var (a, b) in new[] { (small.DuckCorrected, large.DuckCorrected), (small.DuckAr, large.DuckAr) })
                Say($"  for reference: {a.Name} peak at {factor:0.#}x rows: {Mib(b.Peak)} MiB vs {Mib(a.Peak)} MiB = {Ratio(b.Peak, a.Peak)}, wall {b.Wall:0.0} s vs {a.Wall:0.0} s");
        }

        private void StartupTarget(List<(double Wall, ChildResult Result)> runs)
        {
            var sums = runs.Select(r => r.Result.ImportSeconds + r.Result.FirstResultSeconds).OrderBy(s => s).ToList();
            double median = Median(sums);
            bool produced = runs.All(r => r.Result.Errors.Count == 0 && r.Result.Findings.Count > 0);
            targets.Add((median < 0.5 && produced,
                $"Import-Module + first result on samples/ < 500 ms: median {median * 1000:0} ms (CPU {Median(runs.Select(r => StartupCpu(r.Result))) * 1000:0} ms) over {runs.Count} fresh process(es) " +
                $"({string.Join(", ", sums.Select(s => (s * 1000).ToString("0", CultureInfo.InvariantCulture)))} ms; runspace opening not counted: " +
                $"median {Median(runs.Select(r => r.Result.RunspaceSeconds)) * 1000:0} ms)"));
        }

        // ------------------------------------------------------------------ environment

        private static string LoadAverage()
        {
            try
            {
                return File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
            }
            catch (IOException)
            {
                return "n/a";
            }
        }

        private static string DuckDbVersion()
        {
            var v = typeof(DuckDB.NET.Data.DuckDBConnection).Assembly.GetName().Version;
            return v == null ? "" : $"(DuckDB.NET {v.ToString(3)})";
        }
    }
}
