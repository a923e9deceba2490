using System;
using System.Collections.Generic;
using System.IO;

namespace RunCommandHunt.Bench
{
    internal static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length > 0 && args[0] == "--child") return Child.Run(args);

            BenchOptions options;
            try
            {
                options = BenchOptions.Parse(args);
            }
            catch (UsageException ex)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                Console.Error.Write(BenchOptions.Usage);
                return 2;
            }
            if (options.Help)
            {
                Console.Write(BenchOptions.Usage);
                return 0;
            }
            try
            {
                return new Benchmark(options, Console.Out).Run();
            }
            catch (Exception ex) when (ex is ChildFailedException || ex is IOException || ex is InvalidDataException || ex is UsageException)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                return 1;
            }
        }
    }

    /// <summary>The child side: one measured run in this fresh process, its result written to --result.</summary>
    internal static class Child
    {
        public static int Run(string[] args)
        {
            var a = new Dictionary<string, string>();
            for (int i = 2; i + 1 < args.Length; i += 2) a[args[i]] = args[i + 1];
            string Arg(string name) => a.TryGetValue(name, out var v) ? v : throw new UsageException($"child: {name} is missing");
            try
            {
                string kind = args.Length > 1 ? args[1] : "";
                ChildResult result = kind switch
                {
                    "module" => ModuleRun.Hunt(Arg("--module"), Arg("--data"), Arg("--mode") == "ar" ? "AnalyticRule" : "", Arg("--run")),
                    "startup" => ModuleRun.Startup(Arg("--module"), Arg("--data")),
                    "startup-after-script" => ModuleRun.StartupAfterScript(Arg("--module"), Arg("--data")),
                    "import-dll" => ModuleRun.ImportDllOnly(Arg("--module")),
                    "duckdb" => DuckDbRun.Hunt(Arg("--data"), Arg("--mode") == "ar", Arg("--run")),
                    "duckdb-count" => DuckDbRun.Count(Arg("--data")),
                    _ => throw new UsageException($"child: unknown kind '{kind}'"),
                };
                // Last, so the peak and the totals cover everything the run did.
                result.CaptureProcessStats();
                result.Save(Arg("--result"));
                return 0;
            }
            catch (Exception ex)
            {
                Console.Error.WriteLine(ex.ToString());
                return 1;
            }
        }
    }
}
