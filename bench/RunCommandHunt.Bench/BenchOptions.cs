using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;

namespace RunCommandHunt.Bench
{
    /// <summary>A command line the benchmark cannot act on; the message names the option and the value.</summary>
    public sealed class UsageException : Exception
    {
        public UsageException(string message) : base(message) { }
    }

    /// <summary>The parent's command line.</summary>
    public sealed class BenchOptions
    {
        public const long DefaultRows = 1_000_000;
        public const ulong DefaultSeed = 20250602;

        public long Rows { get; private set; } = DefaultRows;
        public int Scale { get; private set; } = 1;
        public ulong Seed { get; private set; } = DefaultSeed;
        public int Repeat { get; private set; } = 1;
        public int StartupRepeat { get; private set; } = 3;
        public string ModuleDir { get; private set; } = BuildInfo.ModuleDir;
        public string OutDir { get; private set; } = Path.Combine(BuildInfo.RepoRoot, "bench", "out");
        public string Samples { get; private set; } = Path.Combine(BuildInfo.RepoRoot, "samples");
        public bool Regenerate { get; private set; }
        public bool NoProfile { get; private set; }
        /// <summary>Only the start-up measure: no evidence, no hunts, no DuckDB, no engine profile.</summary>
        public bool StartupOnly { get; private set; }
        public bool IlHost { get; private set; }
        public bool Help { get; private set; }

        public const string Usage =
            "Usage: dotnet run --project bench/RunCommandHunt.Bench -c Release -- [options]\n" +
            "  --rows N          evidence rows in all (default 1000000), generated once into bench/out/<N>/<seed>/\n" +
            "  --scale K         also run at K x rows and check the peak-memory growth (e.g. --scale 10)\n" +
            "  --seed S          generator seed (default 20250602)\n" +
            "  --repeat R        measured runs per engine and mode; the fastest is reported (default 1)\n" +
            "  --startup-repeat R  Import-Module + first result runs on samples/ (default 3; the median is reported)\n" +
            "  --module DIR      the assembled module folder (default: where this build assembled it)\n" +
            "  --out DIR         evidence cache (default bench/out)\n" +
            "  --samples DIR     the small evidence set for the start-up measure (default samples/)\n" +
            "  --regenerate      generate the evidence again even if cached\n" +
            "  --no-profile      skip the engine-only stage profile\n" +
            "  --startup-only    run only the start-up measure (--startup-repeat processes; no evidence, hunts or profile)\n" +
            "  --il-host         run the measured processes in this build (IL-only PowerShell) instead of a ReadyToRun copy\n";

        public static BenchOptions Parse(IReadOnlyList<string> args)
        {
            var o = new BenchOptions();
            for (int i = 0; i < args.Count; i++)
            {
                string a = args[i];
                string Value()
                {
                    if (i + 1 >= args.Count) throw new UsageException($"Option {a} needs a value.");
                    return args[++i];
                }
                switch (a)
                {
                    case "--rows": o.Rows = Whole(a, Value(), 100); break;
                    case "--scale": o.Scale = (int)Whole(a, Value(), 1, 100); break;
                    case "--seed":
                        string s = Value();
                        if (!ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
                            throw new UsageException($"Option --seed: '{s}' is not an unsigned 64-bit whole number.");
                        o.Seed = seed;
                        break;
                    case "--repeat": o.Repeat = (int)Whole(a, Value(), 1, 20); break;
                    case "--startup-repeat": o.StartupRepeat = (int)Whole(a, Value(), 0, 20); break;
                    case "--module": o.ModuleDir = Path.GetFullPath(Value()); break;
                    case "--out": o.OutDir = Path.GetFullPath(Value()); break;
                    case "--samples": o.Samples = Path.GetFullPath(Value()); break;
                    case "--regenerate": o.Regenerate = true; break;
                    case "--no-profile": o.NoProfile = true; break;
                    case "--startup-only": o.StartupOnly = true; break;
                    case "--il-host": o.IlHost = true; break;
                    case "-h": case "--help": o.Help = true; break;
                    default: throw new UsageException($"Unknown argument '{a}' (position {i + 1}).");
                }
            }
            if (o.StartupOnly && o.StartupRepeat == 0)
                throw new UsageException("Option --startup-only needs --startup-repeat of at least 1.");
            return o;
        }

        private static long Whole(string option, string text, long min, long max = long.MaxValue)
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n < min || n > max)
                throw new UsageException($"Option {option}: '{text}' is not a whole number from {min} to {max}.");
            return n;
        }

        public string Manifest => Path.Combine(ModuleDir, "RunCommandHunt.psd1");
    }

    /// <summary>Paths the build baked into the assembly (see the project file).</summary>
    public static class BuildInfo
    {
        public static string ModuleDir => Metadata("ModuleDir");
        public static string RepoRoot => Metadata("RepoRoot");
        public static string GeneratorDll => Metadata("GeneratorDll");
        public static string ProfilerDll => Metadata("ProfilerDll");

        private static string Metadata(string key) =>
            typeof(BuildInfo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"The build did not record {key}; rebuild bench/RunCommandHunt.Bench.");
    }
}
