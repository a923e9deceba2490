using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;

namespace RunCommandHunt.Fuzz
{
    /// <summary>
    /// Fuzzing harness for the evidence readers (docs/fuzzing.md).
    ///   afl                        AFL++ target (SharpFuzz's forkserver protocol; the engine dll instrumented by `sharpfuzz`).
    ///   libfuzzer                  libFuzzer target (through libfuzzer-dotnet).
    ///   replay PATH... [--verbose] runs every file (or every file of a folder) once; exit 1 when one crashes.
    /// A crash is reported by its signature: the exception type and the engine method it left from.
    /// RCH_FUZZ_KNOWN=invalid-utf8 treats a known, reported bug as no crash, so that a run can find others.
    ///   mutate CORPUS OUT [--count N] [--seconds S] [--seed X]
    ///                              in-process random mutation (bit flips, cuts, splices, inserted bytes) of the
    ///                              corpus files, bounded by count and time; crashing inputs are saved in OUT.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            string mode = args.Length > 0 ? args[0] : "";
            try
            {
                switch (mode)
                {
                    case "afl":
                        SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
                        {
                            using var ms = new MemoryStream();
                            stream.CopyTo(ms);
                            Harness.Run(ms.ToArray());
                        });
                        return 0;
                    case "libfuzzer":
                        SharpFuzz.Fuzzer.LibFuzzer.Run(span => Harness.Run(span.ToArray()));
                        return 0;
                    case "replay":
                        return Replay(args.Skip(1).ToList());
                    case "mutate":
                        return Mutate(args.Skip(1).ToList());
                    default:
                        Console.Error.WriteLine("usage: RunCommandHunt.Fuzz afl | libfuzzer | replay PATH... [--verbose] | mutate CORPUS OUT [--count N] [--seconds S] [--seed X]");
                        return 2;
                }
            }
            finally
            {
                Harness.Cleanup();
            }
        }

        private static IEnumerable<string> Inputs(IEnumerable<string> paths) =>
            paths.SelectMany(p => Directory.Exists(p)
                ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal)
                : (IEnumerable<string>)new[] { p });

        private static int Replay(List<string> args)
        {
            bool verbose = args.Remove("--verbose");
            int crashes = 0, files = 0, refused = 0;
            long rows = 0, rejected = 0;
            var signatures = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var file in Inputs(args))
            {
                files++;
                try
                {
                    var r = Harness.Run(File.ReadAllBytes(file));
                    rows += r.Rows;
                    rejected += r.Rejected;
                    if (r.Refused != null) refused++;
                }
                catch (Exception ex)
                {
                    crashes++;
                    string kind = Signature(ex);
                    signatures[kind] = signatures.TryGetValue(kind, out var seen) ? seen + 1 : 1;
                    Console.WriteLine(verbose ? $"CRASH {file}: {ex}" : $"CRASH {file}: {kind}");
                }
            }
            Console.WriteLine($"replay: {files} input(s), {rows} row(s) read, {rejected} rejected, {refused} file(s) refused, {crashes} crash(es)");
            foreach (var kv in signatures.OrderByDescending(kv => kv.Value))
                Console.WriteLine($"  {kv.Value,6} x {kv.Key}");
            return crashes == 0 ? 0 : 1;
        }

        private static int Mutate(List<string> args)
        {
            if (args.Count < 2) { Console.Error.WriteLine("mutate CORPUS OUT [--count N] [--seconds S] [--seed X]"); return 2; }
            string corpus = args[0], output = args[1];
            long count = long.Parse(Option(args, "--count", "100000"), CultureInfo.InvariantCulture);
            double seconds = double.Parse(Option(args, "--seconds", "120"), CultureInfo.InvariantCulture);
            int seed = int.Parse(Option(args, "--seed", "1"), CultureInfo.InvariantCulture);
            var seeds = Inputs(new[] { corpus }).Select(File.ReadAllBytes).Where(b => b.Length > 0 && b.Length < 4 << 20).ToList();
            if (seeds.Count == 0) { Console.Error.WriteLine($"{corpus}: no seed inputs"); return 2; }
            Directory.CreateDirectory(output);

            var rng = new Random(seed);
            var clock = Stopwatch.StartNew();
            long runs = 0, crashes = 0, refused = 0, rows = 0, rejected = 0;
            var kinds = new HashSet<string>();
            var signatures = new Dictionary<string, long>(StringComparer.Ordinal);
            while (runs < count && clock.Elapsed.TotalSeconds < seconds)
            {
                var input = Mutator.Mutate(seeds, rng);
                runs++;
                try
                {
                    var r = Harness.Run(input);
                    rows += r.Rows;
                    rejected += r.Rejected;
                    if (r.Refused != null) { refused++; kinds.Add(r.Refused); }
                }
                catch (Exception ex)
                {
                    // One crash is usually one bug hit many times: keep a few inputs of each kind.
                    crashes++;
                    string kind = Signature(ex);
                    signatures[kind] = signatures.TryGetValue(kind, out var seen) ? seen + 1 : 1;
                    if (seen >= 3) continue;
                    string name = Convert.ToHexString(SHA256.HashData(input)).Substring(0, 16).ToLowerInvariant();
                    File.WriteAllBytes(Path.Combine(output, $"crash-{name}"), input);
                    File.WriteAllText(Path.Combine(output, $"crash-{name}.txt"), ex.ToString());
                    Console.WriteLine($"CRASH crash-{name}: {kind}");
                }
                if (runs % 5000 == 0) Console.WriteLine($"  {runs} runs, {clock.Elapsed.TotalSeconds:F0} s, {crashes} crash(es)");
            }
            Console.WriteLine($"mutate: {runs} run(s) in {clock.Elapsed.TotalSeconds:F1} s ({runs / Math.Max(clock.Elapsed.TotalSeconds, 0.001):F0}/s) " +
                              $"from {seeds.Count} seed(s); {rows} row(s) read, {rejected} rejected, {refused} input(s) refused " +
                              $"({string.Join(", ", kinds.OrderBy(k => k, StringComparer.Ordinal))}); {crashes} crash(es)");
            foreach (var kv in signatures.OrderByDescending(kv => kv.Value))
                Console.WriteLine($"  {kv.Value,6} x {kv.Key}");
            return crashes == 0 ? 0 : 1;
        }

        /// <summary>The exception type and the engine method it left from: what tells two crashes apart.</summary>
        private static string Signature(Exception ex)
        {
            var frame = (ex.StackTrace ?? "").Split('\n').Select(l => l.Trim())
                .FirstOrDefault(l => l.StartsWith("at RunCommandHunt.Engine", StringComparison.Ordinal)) ?? "";
            int paren = frame.IndexOf('(');
            return $"{ex.GetType().Name} {(paren > 0 ? frame.Substring(3, paren - 3) : frame)}";
        }

        private static string Option(List<string> args, string name, string fallback)
        {
            int i = args.IndexOf(name);
            return i >= 0 && i + 1 < args.Count ? args[i + 1] : fallback;
        }
    }
}
