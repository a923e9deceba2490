using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CsCheck;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Fingerprinting;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;
using RunCommandHunt.Engine.Tests.Compatibility;
using RunCommandHunt.Engine.Tests.Oracle;
using RunCommandHunt.Engine.Tests.Readers;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Hostile
{
    /// <summary>
    /// Random valid evidence (the quirk generator's sets) written by the tests' own writers as CSV, JSON Lines and Log
    /// Analytics API JSON, read back and hunted: every format gives the hunt the records themselves give, in every
    /// behaviour; shuffled rows split over several files give the same result set by default; datetimes keep 100 ns.
    /// </summary>
    public class FormatEquivalenceProperties
    {
        private static readonly CompatibilityMode[] Modes = { CompatibilityMode.None, CompatibilityMode.HuntingQuery, CompatibilityMode.AnalyticRule };
        private static readonly Gen<EvidenceFormat> Format = Gen.OneOfConst(EvidenceFormat.Csv, EvidenceFormat.JsonLines, EvidenceFormat.LogAnalyticsJson);

        /// <summary>The generator's sets with every time moved by a distinct number of ticks (below a millisecond): no
        /// two rows of a table share a time, so row order cannot matter, and the 100 ns digits are exercised.</summary>
        private static readonly Gen<Evidence> Sets = Gen.Select(EvidenceGenerator.Sets, Gen.Int[1, 9973], (e, step) =>
        {
            long k = 0;
            foreach (var a in e.Activity) a.TimeGenerated = a.TimeGenerated.AddTicks(++k * step % 9999);
            foreach (var f in e.FileEvents) f.TimeGenerated = f.TimeGenerated.AddTicks(++k * step % 9999);
            foreach (var d in e.DeviceEvents) d.TimeGenerated = d.TimeGenerated.AddTicks(++k * step % 9999);
            return e;
        });

        [Fact]
        public void Hunt_WhenSameRowsWrittenInEachFormat_ShouldGiveTheRecordsOwnResultInEveryBehaviour()
        {
            Gen.Select(Sets, Format, Format, Format, Gen.Int[0, 11]).Sample((e, fa, ff, fd, style) =>
            {
                using var dir = new TempDir();
                EvidenceFileWriter.Write(dir.File("AzureActivity" + EvidenceFileWriter.Extension(fa)), EvidenceFileWriter.AzureActivity(e.Activity), fa, style);
                EvidenceFileWriter.Write(dir.File("DeviceFileEvents" + EvidenceFileWriter.Extension(ff)), EvidenceFileWriter.DeviceFileEvents(e.FileEvents), ff, style);
                EvidenceFileWriter.Write(dir.File("DeviceEvents" + EvidenceFileWriter.Extension(fd)), EvidenceFileWriter.DeviceEvents(e.DeviceEvents), fd, style);
                foreach (var mode in Modes)
                {
                    var expected = Result(e.Activity, e.FileEvents, e.DeviceEvents, mode);
                    var hunt = EngineHunt.Run(new[] { dir.Path }, mode);
                    Assert.Null(hunt.Error);
                    Assert.Empty(hunt.Log.Rejected);
                    hunt.AssertAccounting();
                    var actual = Keys(hunt.Operations, hunt.Executions, hunt.Unique);
                    AssertSame(expected, actual, $"{mode}, AzureActivity {fa}, DeviceFileEvents {ff}, DeviceEvents {fd}, style {style}\n{EvidenceGenerator.Describe(e)}");
                }
            }, iter: 60);
        }

        [Fact]
        public void Hunt_WhenRowsShuffledAndSplitOverFiles_ShouldGiveTheSameResultSetByDefault()
        {
            Gen.Select(Sets, Gen.Int[1, 3], Gen.Int.Array[3], Format.Array[9], Gen.Int[0, 11]).Sample((e, parts, seeds, formats, style) =>
            {
                using var dir = new TempDir();
                int file = 0;
                void Split<T>(string table, List<T> rows, int seed, Func<IEnumerable<T>, EvidenceFileWriter.Table> make)
                {
                    var rng = new Random(seed);
                    var shuffled = rows.OrderBy(_ => rng.Next()).ToList();
                    for (int p = 0; p < parts; p++)
                    {
                        var format = formats[file++ % formats.Length];
                        var part = shuffled.Where((_, i) => i % parts == p).ToList();
                        // A JSON Lines file of no rows is an empty file; it says nothing either way.
                        if (part.Count == 0 && format == EvidenceFormat.JsonLines) continue;
                        EvidenceFileWriter.Write(dir.File($"{table}_{p}{EvidenceFileWriter.Extension(format)}"), make(part), format, style);
                    }
                }
                Split("AzureActivity", e.Activity, seeds[0], EvidenceFileWriter.AzureActivity);
                Split("DeviceFileEvents", e.FileEvents, seeds[1], EvidenceFileWriter.DeviceFileEvents);
                Split("DeviceEvents", e.DeviceEvents, seeds[2], EvidenceFileWriter.DeviceEvents);

                var expected = Result(e.Activity, e.FileEvents, e.DeviceEvents, CompatibilityMode.None);
                var hunt = EngineHunt.Run(new[] { dir.Path }, CompatibilityMode.None);
                Assert.Null(hunt.Error);
                hunt.AssertAccounting();
                AssertSame(Sorted(expected), Sorted(Keys(hunt.Operations, hunt.Executions, hunt.Unique)),
                    $"{parts} part(s), style {style}\n{EvidenceGenerator.Describe(e)}");
            }, iter: 60);
        }

        [Fact]
        public void Read_WhenDatetimesHave100NanosecondDigits_ShouldKeepEveryTickInEveryFormat()
        {
            var time = Gen.Long[new DateTime(1601, 1, 1).Ticks, new DateTime(9998, 12, 31).Ticks].Select(t => new DateTime(t, DateTimeKind.Utc));
            Gen.Select(time.Array[1, 20], Format, Gen.Int[0, 11]).Sample((times, format, style) =>
            {
                using var dir = new TempDir();
                var rows = times.Select((t, i) => new DeviceEventRecord
                {
                    TimeGenerated = t, DeviceName = "vm" + i, ActionType = "PowerShellCommand", InitiatingProcessCommandLine = "powershell -File script1.ps1",
                    AdditionalFields = "{\"Command\":\"Get-Date\"}",
                }).ToList();
                var path = dir.File("DeviceEvents" + EvidenceFileWriter.Extension(format));
                EvidenceFileWriter.Write(path, EvidenceFileWriter.DeviceEvents(rows), format, style);
                var log = new CollectingLog();
                var reader = new EvidenceReader(log);
                var read = reader.ReadDeviceEvents(reader.Resolve(new[] { path })).ToList();
                Assert.Empty(log.Rejected);
                Assert.Equal(times.Select(t => t.Ticks), read.Select(r => r.TimeGenerated.Ticks));
                Assert.All(read, r => Assert.Equal(DateTimeKind.Utc, r.TimeGenerated.Kind));
            }, iter: 200);
        }

        private static List<string> Result(List<AzureActivityRecord> activity, List<DeviceFileEventRecord> files, List<DeviceEventRecord> events, CompatibilityMode mode)
        {
            // The cmdlets' path on the records themselves, with the readers' filters applied as the cmdlets apply them.
            var operations = OperationBuilder.Build(activity.Where(r => OperationBuilder.IsRelevant(r, mode)), mode).ToList();
            var executions = ScriptExecutionCorrelator.Correlate(operations,
                files.Where(f => ScriptExecutionCorrelator.IsRelevant(f, mode)).ToList(),
                events.Where(d => ScriptExecutionCorrelator.IsRelevant(d, mode)).ToList(),
                Array.Empty<DeviceProcessEventRecord>(), mode).ToList();
            return Keys(operations, executions, UniqueScriptFinder.Find(executions, mode).ToList());
        }

        private static List<string> Keys(IEnumerable<RunCommandOperation> ops, IEnumerable<RunCommandScriptExecution> xs, IEnumerable<UniqueRunCommandScript> us)
        {
            string T(DateTime t) => EngineHunt.Utc(t);
            string J(string[] list) => string.Join("\u241F", list);
            return ops.Select(o => $"op {T(o.StartTime)} {T(o.EndTime)} {o.Subscription}|{o.ResourceGroup}|{o.VirtualMachineName}|{o.CorrelationId}|{o.Caller}|{o.CallerIpAddress}|{o.Status}|{o.Scope}")
                .Concat(xs.Select(x => $"x {T(x.StartTime)} {T(x.EndTime)} {T(x.PowershellFileCreatedTimestamp)} {T(x.PowershellExecStart)} {T(x.PowershellExecEnd)} " +
                    $"{x.PowershellFileName}|{J(x.PowershellScriptCommands)}|{x.Caller}|{x.CallerIpAddress}|{x.InitiatingProcessCommandLine}|{x.PowershellFileSize}|" +
                    $"{x.VirtualMachineName}|{x.DeviceName}|{x.ScriptFingerprintHash}"))
                .Concat(us.Select(u => $"u {T(u.StartTime)} {u.PowershellFileName}|{u.VirtualMachineName}|{u.ScriptFingerprintHash}|{u.HashCount}|{u.Prevalence:R}"))
                .ToList();
        }

        private static List<string> Sorted(List<string> keys) => keys.OrderBy(k => k, StringComparer.Ordinal).ToList();

        private static void AssertSame(List<string> expected, List<string> actual, string what)
        {
            if (expected.SequenceEqual(actual)) return;
            Assert.Fail($"{what}\n  expected:\n    {string.Join("\n    ", expected)}\n  actual:\n    {string.Join("\n    ", actual)}");
        }
    }
}
