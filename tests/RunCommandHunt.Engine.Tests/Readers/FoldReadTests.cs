using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Readers
{
    /// <summary>
    /// Folding a table as it is read (AzureActivity into operations, DeviceEvents into a DeviceEventFold), with files
    /// read ahead and large files read in halves into parts of their own, gives what one reader enumerating the
    /// records one after the other gives: the same operations, the same executions, the same counts.
    /// </summary>
    public class FoldReadTests
    {
        /// <summary>The samples' rows, each repeated, dealt out into files in turn: operations and runs span files and halves.</summary>
        private static string[] Deal(TempDir dir, string table, int files, int copies)
        {
            var lines = File.ReadAllLines(Path.Combine(Fixtures.SamplesDir(), table + ".csv"));
            var rows = lines.Skip(1).SelectMany(l => Enumerable.Repeat(l, copies)).ToList();
            return Enumerable.Range(0, files).Select(k =>
                dir.Write($"{table}_{k:D2}.csv", string.Join("\n", new[] { lines[0] }.Concat(rows.Where((_, i) => i % files == k))) + "\n")).ToArray();
        }

        public static IEnumerable<object[]> Layouts()
        {
            foreach (var mode in new[] { CompatibilityMode.None, CompatibilityMode.AnalyticRule, CompatibilityMode.HuntingQuery })
            {
                yield return new object[] { mode, 1, 1, false };
                yield return new object[] { mode, 1, 3, true };
                yield return new object[] { mode, 5, 2, true };
                yield return new object[] { mode, 3, 1, false };
            }
        }

        [Theory]
        [MemberData(nameof(Layouts))]
        public void Fold_WhenFilesReadAheadAndInHalves_ShouldGiveWhatOneReaderEnumeratingGives(CompatibilityMode mode, int files, int copies, bool halves)
        {
            using var dir = new TempDir();
            var activityPaths = Deal(dir, "AzureActivity", files, copies);
            var eventPaths = Deal(dir, "DeviceEvents", files, copies);
            var fileEventPaths = Deal(dir, "DeviceFileEvents", 1, 1);

            var one = new EvidenceReader(new CollectingLog()) { MaxParallelFiles = 1, SplitMinBytes = long.MaxValue, CsvIndexMinBytes = long.MaxValue };
            var expectedOps = OperationBuilder.Build(one.ReadAzureActivity(one.Resolve(activityPaths, EvidenceTable.AzureActivity), RelevanceFilters.AzureActivity(mode)), mode).ToList();
            var fileEvents = one.ReadDeviceFileEvents(one.Resolve(fileEventPaths, EvidenceTable.DeviceFileEvents), RelevanceFilters.DeviceFileEvents(mode)).ToList();
            var expectedFold = DeviceEventFold.Of(one.ReadDeviceEvents(one.Resolve(eventPaths, EvidenceTable.DeviceEvents), RelevanceFilters.DeviceEvents(mode)), mode);
            var expected = ScriptExecutionCorrelator.Correlate(expectedOps, fileEvents, expectedFold, Array.Empty<DeviceProcessEventRecord>()).ToList();

            var log = new CollectingLog();
            // The folding reads also take their rows from the CSV index (the plain read above parses them row by row).
            var folding = new EvidenceReader(log) { MaxParallelFiles = 4, SplitMinBytes = halves ? 1 : long.MaxValue, CsvIndexMinBytes = 0 };
            var ops = folding.FoldAzureActivity(folding.Resolve(activityPaths, EvidenceTable.AzureActivity), RelevanceFilters.AzureActivity(mode),
                new OperationFold(mode)).Build().ToList();
            var fold = folding.FoldDeviceEvents(folding.Resolve(eventPaths, EvidenceTable.DeviceEvents), RelevanceFilters.DeviceEvents(mode),
                new DeviceEventFold(mode));
            var actual = ScriptExecutionCorrelator.Correlate(ops, fileEvents, fold, Array.Empty<DeviceProcessEventRecord>()).ToList();

            Assert.NotEmpty(expectedOps);
            Assert.NotEmpty(expected);
            Assert.Equal(expectedOps.Select(Describe), ops.Select(Describe));
            Assert.Equal(expectedFold.Count, fold.Count);
            Assert.Equal(expected.Select(Describe), actual.Select(Describe));
            Assert.Equal(Stats(one), Stats(folding));
            Assert.Empty(log.Rejected);
        }

        private static string[] Stats(EvidenceReader reader) =>
            reader.Statistics.Where(s => s.Table != EvidenceTable.DeviceFileEvents).Select(s => $"{s.File} {s.Table} {s.Read} {s.Used} {s.Filtered} {s.Rejected} {s.Completed}").OrderBy(s => s, StringComparer.Ordinal).ToArray();

        private static string Describe(RunCommandOperation o) => string.Join(" | ", o.StartTime.Ticks, o.EndTime.Ticks, o.VirtualMachineName,
            o.CorrelationId, o.Caller, o.CallerIpAddress, o.Scope, o.Status, string.Join(",", o.ActivityStatusValues), o.Authorization);

        private static string Describe(RunCommandScriptExecution x) => string.Join(" | ", x.CorrelationId, x.DeviceName, x.PowershellFileName,
            x.PowershellFileCreatedTimestamp.Ticks, x.PowershellExecStart.Ticks, x.PowershellExecEnd.Ticks,
            string.Join(",", x.PowershellScriptCommands!), x.InitiatingProcessCommandLine, x.ScriptFingerprintHash);
    }
}
