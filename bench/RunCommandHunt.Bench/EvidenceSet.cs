using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace RunCommandHunt.Bench
{
    /// <summary>A generated evidence set, cached under &lt;out&gt;/&lt;rows&gt;/&lt;seed&gt;/: evidence/*.csv, truth.json, and
    /// stamp.json (written last, so a set whose generation was interrupted is never reused).</summary>
    public sealed class EvidenceSet
    {
        public long RequestedRows { get; private set; }
        public ulong Seed { get; private set; }
        public string Folder { get; private set; } = "";
        public string EvidenceDir => Path.Combine(Folder, "evidence");
        public string TruthPath => Path.Combine(Folder, "truth.json");
        /// <summary>Rows per table as the generator reports them in truth.json.</summary>
        public Dictionary<string, long> GeneratedRows { get; private set; } = new Dictionary<string, long>();
        /// <summary>Rows per table as DuckDB reads them (typed CSV): a check that the CSV reads cleanly.</summary>
        public Dictionary<string, long> DuckDbRows { get; private set; } = new Dictionary<string, long>();
        public long Bytes { get; private set; }
        public double GenerateSeconds { get; private set; }
        public bool FromCache { get; private set; }
        public long TotalRows => GeneratedRows.Values.Sum();

        private sealed class Stamp
        {
            public long Rows { get; set; }
            public ulong Seed { get; set; }
            public double GenerateSeconds { get; set; }
            public Dictionary<string, long> DuckDbRows { get; set; } = new Dictionary<string, long>();
        }

        public static EvidenceSet Prepare(BenchOptions options, long rows, string workDir, Action<string> say)
        {
            var set = new EvidenceSet
            {
                RequestedRows = rows,
                Seed = options.Seed,
                Folder = Path.Combine(options.OutDir, rows.ToString(CultureInfo.InvariantCulture), options.Seed.ToString(CultureInfo.InvariantCulture)),
            };
            var stampPath = Path.Combine(set.Folder, "stamp.json");
            Stamp? stamp = null;
            if (!options.Regenerate && File.Exists(stampPath))
            {
                stamp = JsonSerializer.Deserialize<Stamp>(File.ReadAllText(stampPath));
                if (stamp == null || stamp.Rows != rows || stamp.Seed != options.Seed) stamp = null;
            }

            if (stamp != null)
            {
                set.FromCache = true;
                set.GenerateSeconds = stamp.GenerateSeconds;
                set.DuckDbRows = stamp.DuckDbRows;
                say($"evidence: {rows:N0} rows, seed {options.Seed}: cached in {set.Folder}");
            }
            else
            {
                // Only this set's own folder is removed: a half-written set from an interrupted run.
                if (Directory.Exists(set.Folder)) Directory.Delete(set.Folder, recursive: true);
                Directory.CreateDirectory(set.Folder);
                say($"evidence: generating {rows:N0} rows, seed {options.Seed} into {set.Folder} ...");
                var generator = ChildProcess.Dll(BuildInfo.GeneratorDll, new[]
                {
                    "--out", set.EvidenceDir, "--rows", rows.ToString(CultureInfo.InvariantCulture),
                    "--seed", options.Seed.ToString(CultureInfo.InvariantCulture), "--format", "csv", "--truth",
                });
                set.GenerateSeconds = ChildProcess.Run(generator, Path.Combine(workDir, $"generate-{rows}.log"));
                // truth.json sits beside the evidence, not in it: the hunts read the folder and nothing else.
                File.Move(Path.Combine(set.EvidenceDir, "truth.json"), set.TruthPath);
                say($"evidence: generated in {set.GenerateSeconds:0.0} s; counting rows with DuckDB ...");
                var countResult = Path.Combine(workDir, $"count-{rows}.json");
                ChildProcess.Run(ChildProcess.Self(new[] { "--child", "duckdb-count", "--data", set.EvidenceDir, "--result", countResult }),
                    Path.Combine(workDir, $"count-{rows}.log"));
                set.DuckDbRows = ChildResult.Load(countResult).RowsRead;
                stamp = new Stamp { Rows = rows, Seed = options.Seed, GenerateSeconds = set.GenerateSeconds, DuckDbRows = set.DuckDbRows };
                File.WriteAllText(stampPath, JsonSerializer.Serialize(stamp, new JsonSerializerOptions { WriteIndented = true }));
            }

            set.GeneratedRows = Truth.TableRows(set.TruthPath);
            set.Bytes = Directory.GetFiles(set.EvidenceDir).Sum(f => new FileInfo(f).Length);
            return set;
        }
    }
}
