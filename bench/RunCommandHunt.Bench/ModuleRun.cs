using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;

namespace RunCommandHunt.Bench
{
    /// <summary>Child side: the built module in a hosted PowerShell 7 engine, as a user runs it.</summary>
    public static class ModuleRun
    {
        // EvidenceReader's per-file line: "<file>: DeviceEvents, csv: read 648252, used 186228, filtered 462024, rejected 0"
        private static readonly Regex FileStatistics = new Regex(
            @": (?<table>\w+), [^:]+: read (?<read>\d+), used (?<used>\d+), filtered (?<filtered>\d+), rejected (?<rejected>\d+)",
            RegexOptions.CultureInvariant);

        /// <summary>The three-cmdlet pipeline, with -Compatibility on every stage when given.</summary>
        public static string Pipeline(string compatibility)
        {
            var c = compatibility.Length == 0 ? "" : " -Compatibility " + compatibility;
            return $"Get-RunCommandOperation -Path $EvidencePath{c} -Verbose | " +
                   $"Get-RunCommandScriptExecution -Path $EvidencePath{c} -Verbose | " +
                   $"Find-UniqueRunCommandScript{c} -Verbose";
        }

        /// <summary>
        /// Opens a runspace, imports the module (timed apart), runs the pipeline and records the time to its first output
        /// object and to its end. Output objects are kept (the findings), as a user's variable would keep them.
        /// </summary>
        public static ChildResult Hunt(string manifest, string evidenceDir, string compatibility, string runName)
        {
            var result = new ChildResult { Run = runName };
            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            result.RunspaceSeconds = Timed(result, "open runspace (PowerShell itself)", () => runspace.Open()).Seconds;
            result.ImportSeconds = Timed(result, "Import-Module", () => Import(runspace, manifest)).Seconds;
            runspace.SessionStateProxy.SetVariable("EvidencePath", evidenceDir);

            var (output, first, ps) = (new PSDataCollection<PSObject>(), -1.0, PowerShell.Create());
            using (ps)
            {
                ps.Runspace = runspace;
                ps.AddScript(Pipeline(compatibility));
                var clock = Stopwatch.StartNew();
                output.DataAdded += (_, _) => { if (first < 0) first = clock.Elapsed.TotalSeconds; };
                result.HuntSeconds = Timed(result, "pipeline", () => ps.Invoke(null, output)).Seconds;
                result.FirstResultSeconds = first < 0 ? result.HuntSeconds : first;

                foreach (var v in ps.Streams.Verbose)
                {
                    var m = FileStatistics.Match(v.Message);
                    if (!m.Success) continue;
                    string table = m.Groups["table"].Value;
                    Add(result.RowsRead, table, long.Parse(m.Groups["read"].Value, CultureInfo.InvariantCulture));
                    Add(result.RowsUsed, table, long.Parse(m.Groups["used"].Value, CultureInfo.InvariantCulture));
                }
                result.ErrorCount = ps.Streams.Error.Count;
                result.Errors = ps.Streams.Error.Take(5).Select(e => e.ToString()).ToList();
                if (ps.HadErrors && result.ErrorCount == 0) result.Errors.Add("the pipeline reported errors (HadErrors) but wrote no error record");
            }
            foreach (var o in output) result.Findings.Add(ToFinding(o));
            if (result.Findings.Count > 0 && result.Findings[0].Prevalence > 0)
                result.Totals = (long)Math.Round(result.Findings[0].HashCount * 100.0 / result.Findings[0].Prevalence);
            return result;
        }

        /// <summary>
        /// Import-Module, then the default pipeline on a small folder: how long until the first object appears. Then,
        /// after the measure, warm repeats in the same process that split the cold cost: the pipeline again (what is
        /// left without JIT and first-time loading), and Remove-Module + Import-Module again (import without assembly loading).
        /// </summary>
        public static ChildResult Startup(string manifest, string evidenceDir)
        {
            var r = new ChildResult { Run = "startup" };
            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            r.RunspaceSeconds = Timed(r, "open runspace (PowerShell itself)", () => runspace.Open()).Seconds;
            r.ImportSeconds = Timed(r, "Import-Module (cold)", () => Import(runspace, manifest)).Seconds;
            runspace.SessionStateProxy.SetVariable("EvidencePath", evidenceDir);
            r.FirstResultSeconds = FirstResult(r, runspace, "first result (cold)");
            FirstResult(r, runspace, "first result again (warm)");
            Timed(r, "Remove-Module + Import-Module again (warm)", () =>
            {
                Invoke(runspace, ps => ps.AddCommand("Remove-Module").AddParameter("Name", "RunCommandHunt").AddParameter("ErrorAction", "Stop"));
                Import(runspace, manifest);
            });
            if (r.Findings.Count == 0) r.Errors.Add($"{evidenceDir}: the pipeline wrote no object, so there is no first result to time");
            return r;
        }

        /// <summary>
        /// Experiment: the same as <see cref="Startup"/>, after the runspace has run one trivial script. A manifest is
        /// itself a script that Import-Module runs, so the cold import above includes PowerShell compiling and running
        /// its first script (its parser, compiler and interpreter, JIT-compiled in this host); an interactive pwsh
        /// session has done that before the user types a command (prompt, PSReadLine). This measure leaves it out.
        /// </summary>
        public static ChildResult StartupAfterScript(string manifest, string evidenceDir)
        {
            var r = new ChildResult { Run = "startup-after-script" };
            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            r.RunspaceSeconds = Timed(r, "open runspace (PowerShell itself)", () => runspace.Open()).Seconds;
            Timed(r, "first script (PowerShell itself)", () => Invoke(runspace, ps => ps.AddScript("$null = $PSVersionTable")));
            r.ImportSeconds = Timed(r, "Import-Module (cold)", () => Import(runspace, manifest)).Seconds;
            runspace.SessionStateProxy.SetVariable("EvidencePath", evidenceDir);
            r.FirstResultSeconds = FirstResult(r, runspace, "first result (cold)");
            if (r.Findings.Count == 0) r.Errors.Add($"{evidenceDir}: the pipeline wrote no object, so there is no first result to time");
            return r;
        }

        /// <summary>
        /// Experiment: a cold Import-Module of RunCommandHunt.dll itself, without the manifest (so without its format and
        /// type data). Against the cold manifest import it shows what the ps1xml files cost.
        /// </summary>
        public static ChildResult ImportDllOnly(string manifest)
        {
            var r = new ChildResult { Run = "import-dll" };
            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            r.RunspaceSeconds = Timed(r, "open runspace (PowerShell itself)", () => runspace.Open()).Seconds;
            var dll = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(manifest)!, "RunCommandHunt.dll");
            r.ImportSeconds = Timed(r, "Import-Module RunCommandHunt.dll (cold, no manifest)", () =>
                Invoke(runspace, ps => ps.AddCommand("Import-Module").AddParameter("Name", dll).AddParameter("ErrorAction", "Stop"))).Seconds;
            return r;
        }

        private static double FirstResult(ChildResult r, Runspace runspace, string name)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            ps.AddScript(Pipeline(""));
            var output = new PSDataCollection<PSObject>();
            using var self = Process.GetCurrentProcess();
            var cpu = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            double first = -1, firstCpu = 0;
            output.DataAdded += (_, _) =>
            {
                if (first >= 0) return;
                first = clock.Elapsed.TotalSeconds;
                self.Refresh();
                firstCpu = (self.TotalProcessorTime - cpu).TotalSeconds;
            };
            ps.Invoke(null, output);
            if (first < 0) { first = clock.Elapsed.TotalSeconds; self.Refresh(); firstCpu = (self.TotalProcessorTime - cpu).TotalSeconds; }
            r.Figures.Add(new Figure { Name = name, Seconds = first, CpuSeconds = firstCpu });
            if (r.Findings.Count == 0) foreach (var o in output) r.Findings.Add(ToFinding(o));
            r.ErrorCount += ps.Streams.Error.Count;
            r.Errors.AddRange(ps.Streams.Error.Take(3).Select(e => e.ToString()));
            return first;
        }

        private static void Import(Runspace runspace, string manifest) =>
            Invoke(runspace, ps => ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("ErrorAction", "Stop"));

        private static void Invoke(Runspace runspace, Action<PowerShell> build)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            build(ps);
            ps.Invoke();
        }

        /// <summary>Wall and process CPU of one step, recorded as a figure.</summary>
        private static Figure Timed(ChildResult r, string name, Action step)
        {
            using var self = Process.GetCurrentProcess();
            var cpu = self.TotalProcessorTime;
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            long jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
            var clock = Stopwatch.StartNew();
            step();
            var f = new Figure { Name = name, Seconds = clock.Elapsed.TotalSeconds };
            self.Refresh();
            f.CpuSeconds = (self.TotalProcessorTime - cpu).TotalSeconds;
            f.JitSeconds = (System.Runtime.JitInfo.GetCompilationTime() - jit).TotalSeconds;
            f.JitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitted;
            r.Figures.Add(f);
            return f;
        }

        private static void Add(Dictionary<string, long> d, string key, long n) => d[key] = (d.TryGetValue(key, out var c) ? c : 0) + n;

        private static Finding ToFinding(PSObject o)
        {
            object? Get(string name) => o.Properties[name]?.Value
                ?? throw new InvalidOperationException($"Output object {o.BaseObject.GetType().FullName} has no property {name}.");
            string Text(string name) => Convert.ToString(Get(name), CultureInfo.InvariantCulture) ?? "";
            var start = (DateTime)Get("StartTime")!;
            return new Finding
            {
                CorrelationId = Text("CorrelationId"),
                VirtualMachineName = Text("VirtualMachineName"),
                StartTimeTicks = start.Ticks,
                PowershellFileName = Text("PowershellFileName"),
                ScriptFingerprintHash = Text("ScriptFingerprintHash"),
                HashCount = Convert.ToInt64(Get("HashCount"), CultureInfo.InvariantCulture),
                Prevalence = Convert.ToDouble(Get("Prevalence"), CultureInfo.InvariantCulture),
            };
        }
    }
}
