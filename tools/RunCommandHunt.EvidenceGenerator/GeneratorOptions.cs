using System;
using System.Collections.Generic;
using System.Globalization;

namespace RunCommandHunt.EvidenceGenerator
{
    /// <summary>A command line the generator cannot act on; the message names the option and the value.</summary>
    internal sealed class UsageException : Exception
    {
        public UsageException(string message) : base(message) { }
    }

    internal sealed class GeneratorOptions
    {
        public const ulong DefaultSeed = 20250602;
        public const long MinimumRows = 100;

        public string OutputDirectory { get; private set; } = "";
        public long? Rows { get; private set; }
        public ulong Seed { get; private set; } = DefaultSeed;
        public OutputFormat Format { get; private set; } = OutputFormat.Csv;
        public bool Gzip { get; private set; }
        public bool Truth { get; private set; }
        public bool Help { get; private set; }

        public string FormatName => Format switch { OutputFormat.Csv => "csv", OutputFormat.Jsonl => "jsonl", _ => "laapi" };

        public const string Usage =
            "Usage: dotnet run --project tools/RunCommandHunt.EvidenceGenerator -- --out <dir> [--rows N] [--seed S]\n" +
            "                  [--format csv|jsonl|laapi] [--gzip] [--truth]\n" +
            "  --out DIR     where AzureActivity.*, DeviceFileEvents.*, DeviceEvents.* (and truth.json) are written\n" +
            "  --rows N      about N rows in all (at least 100); without it, the small bundled sample set\n" +
            "  --seed S      unsigned 64-bit seed (default 20250602); same seed and arguments, same bytes\n" +
            "  --format F    csv (RFC 4180, default), jsonl (one JSON object a line), laapi (Log Analytics query API response)\n" +
            "  --gzip        gzip each table file (.gz appended)\n" +
            "  --truth       also write truth.json: every generated Run Command and what the hunt should find\n";

        public static GeneratorOptions Parse(IReadOnlyList<string> args)
        {
            var o = new GeneratorOptions();
            for (int i = 0; i < args.Count; i++)
            {
                string a = args[i];
                string Value()
                {
                    if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                        throw new UsageException($"Option {a} needs a value.");
                    return args[++i];
                }
                switch (a)
                {
                    case "--out": o.OutputDirectory = Value(); break;
                    case "--rows":
                        string rows = Value();
                        if (!long.TryParse(rows, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n < MinimumRows)
                            throw new UsageException($"Option --rows: '{rows}' is not a whole number of at least {MinimumRows}.");
                        o.Rows = n;
                        break;
                    case "--seed":
                        string seed = Value();
                        if (!ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s))
                            throw new UsageException($"Option --seed: '{seed}' is not an unsigned 64-bit whole number.");
                        o.Seed = s;
                        break;
                    case "--format":
                        string f = Value();
                        o.Format = f switch
                        {
                            "csv" => OutputFormat.Csv,
                            "jsonl" => OutputFormat.Jsonl,
                            "laapi" => OutputFormat.LaApi,
                            _ => throw new UsageException($"Option --format: '{f}' is not one of csv, jsonl, laapi."),
                        };
                        break;
                    case "--gzip": o.Gzip = true; break;
                    case "--truth": o.Truth = true; break;
                    case "-h": case "--help": o.Help = true; break;
                    default: throw new UsageException($"Unknown argument '{a}' (position {i + 1}).");
                }
            }
            if (!o.Help && o.OutputDirectory.Length == 0) throw new UsageException("Option --out is required.");
            return o;
        }
    }
}
