using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace RunCommandHunt.EvidenceGenerator
{
    internal static class Program
    {
        public static int Main(string[] args)
        {
            GeneratorOptions options;
            try
            {
                options = GeneratorOptions.Parse(args);
            }
            catch (UsageException ex)
            {
                Console.Error.WriteLine("error: " + ex.Message);
                Console.Error.Write(GeneratorOptions.Usage);
                return 2;
            }
            if (options.Help)
            {
                Console.Write(GeneratorOptions.Usage);
                return 0;
            }
            try
            {
                Generate(options, Console.Out);
                return 0;
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"error: cannot write to '{options.OutputDirectory}': {ex.Message}");
                return 1;
            }
            catch (UnauthorizedAccessException ex)
            {
                Console.Error.WriteLine($"error: cannot write to '{options.OutputDirectory}': {ex.Message}");
                return 1;
            }
        }

        public static void Generate(GeneratorOptions options, TextWriter report)
        {
            var clock = Stopwatch.StartNew();
            Directory.CreateDirectory(options.OutputDirectory);

            // Separate streams for the plan and each table's noise, so a change in one does not reshuffle the others.
            var master = new Prng(options.Seed);
            var planPrng = master.Fork();
            var runCommandPrng = master.Fork();
            var activityPrng = master.Fork();
            var filePrng = master.Fork();
            var eventPrng = master.Fork();
            var pinnedPrng = master.Fork();
            var spreadPrng = master.Fork();

            var plan = options.Rows.HasValue ? ScalePlan.Build(planPrng, options.Rows.Value) : SamplePlan.Build(planPrng);

            var sinks = new List<TableSink>();
            var writers = new List<TableWriter>();
            try
            {
                foreach (var schema in EvidenceTables.All)
                {
                    var writer = TableWriter.Create(options.OutputDirectory, schema, options.Format, options.Gzip);
                    writers.Add(writer);
                    sinks.Add(new TableSink(writer));
                }
                var timeline = new Timeline(sinks[0], sinks[1], sinks[2]);
                var rcEmitter = new RunCommandEmitter(new RowFactory(plan.Fleet, runCommandPrng), runCommandPrng);
                var activityNoise = new NoiseEmitter(new RowFactory(plan.Fleet, activityPrng), activityPrng);
                var fileNoise = new NoiseEmitter(new RowFactory(plan.Fleet, filePrng), filePrng);
                var eventNoise = new NoiseEmitter(new RowFactory(plan.Fleet, eventPrng), eventPrng);
                var pinnedNoise = new NoiseEmitter(new RowFactory(plan.Fleet, pinnedPrng), pinnedPrng);

                timeline.AddSource(new RunCommandSource(plan.Operations, rcEmitter));
                timeline.AddSource(new SpreadSource(plan.WindowStart, plan.Window, plan.ActivityNoise, spreadPrng.Fork(), activityNoise.Activity));
                timeline.AddSource(new SpreadSource(plan.WindowStart, plan.Window, plan.FileNoise, spreadPrng.Fork(), fileNoise.FileEvent));
                timeline.AddSource(new SpreadSource(plan.WindowStart, plan.Window, plan.EventNoise, spreadPrng.Fork(), eventNoise.DeviceEvent));
                var pinned = new List<(DateTime, Action<Timeline>)>();
                foreach (var p in plan.Pinned)
                {
                    var emit = p.Emit;
                    pinned.Add((p.At, t => emit(t, pinnedNoise)));
                }
                timeline.AddSource(new ScheduledSource(pinned));
                timeline.Run();
            }
            finally
            {
                foreach (var w in writers) w.Dispose();
            }

            long total = 0;
            foreach (var s in sinks)
            {
                report.WriteLine($"{s.Path}: {s.RowsWritten} rows");
                total += s.RowsWritten;
            }
            if (options.Truth)
            {
                string truth = Path.Combine(options.OutputDirectory, "truth.json");
                TruthWriter.Write(truth, plan, options, sinks);
                report.WriteLine($"{truth}: {plan.Operations.Count} Run Commands");
            }
            report.WriteLine($"{total} rows in {clock.Elapsed.TotalSeconds:0.0} s (seed {options.Seed}, {plan.Mode}).");
        }
    }
}
