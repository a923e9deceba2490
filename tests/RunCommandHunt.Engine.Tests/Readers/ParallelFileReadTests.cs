using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Readers
{
    /// <summary>Several files of a table are read at once; what comes out, and in what order, is what one file after
    /// the other gives.</summary>
    public class ParallelFileReadTests
    {
        /// <summary>DeviceEvents files: the samples' rows dealt out in turn, so that each file has some of every run.</summary>
        private static string[] Split(TempDir dir, int files = 4)
        {
            var lines = File.ReadAllLines(Path.Combine(Fixtures.SamplesDir(), "DeviceEvents.csv"));
            return Enumerable.Range(0, files).Select(k =>
                dir.Write($"DeviceEvents_{k:D2}.csv", string.Join("\n", new[] { lines[0] }.Concat(lines.Skip(1).Where((_, i) => i % files == k))) + "\n")).ToArray();
        }

        [Theory]
        [InlineData(CompatibilityMode.None, 4, 4)]
        [InlineData(CompatibilityMode.AnalyticRule, 4, 4)]
        [InlineData(CompatibilityMode.None, 13, 3)]
        public void ReadDeviceEvents_WhenSeveralFilesReadAtOnce_ShouldGiveTheRecordsAndCountsOfOneAfterTheOther(CompatibilityMode mode, int fileCount, int atOnce)
        {
            using var dir = new TempDir();
            var paths = Split(dir, fileCount);
            string[] Read(int parallel, out string[] stats)
            {
                var reader = new EvidenceReader(new CollectingLog()) { MaxParallelFiles = parallel };
                var files = reader.Resolve(paths, EvidenceTable.DeviceEvents);
                var records = reader.ReadDeviceEvents(files, RelevanceFilters.DeviceEvents(mode)).Select(r => JsonSerializer.Serialize(r)).ToArray();
                stats = reader.Statistics.Select(s => s.ToString()).OrderBy(s => s, StringComparer.Ordinal).ToArray();
                return records;
            }

            var one = Read(1, out var oneStats);
            var several = Read(atOnce, out var severalStats);
            Assert.NotEmpty(one);
            Assert.Equal(one, several);
            Assert.Equal(oneStats, severalStats);
            Assert.Equal(fileCount, severalStats.Length);
        }

        [Fact]
        public void ReadDeviceFileEvents_WhenReadInHalves_ShouldReportProgressOfBothUpToTheEnd()
        {
            using var dir = new TempDir();
            var sb = new System.Text.StringBuilder("TimeGenerated,DeviceName,FileName,InitiatingProcessFileName\n");
            for (int i = 0; i < 20000; i++) sb.Append($"2023-06-09T10:00:00Z,vm{i},script{i}.ps1,RunCommandExtension.exe\n");
            var path = dir.Write("DeviceFileEvents.csv", sb.ToString());
            var log = new CollectingLog();
            var reader = new EvidenceReader(log) { ProgressIntervalMs = 0, SplitMinBytes = 1, MaxParallelFiles = 2, CsvIndexMinBytes = 0 };
            var records = reader.ReadDeviceFileEvents(reader.Resolve(new[] { path }, EvidenceTable.DeviceFileEvents)).ToList();

            Assert.Equal(20000, records.Count);
            Assert.Equal(Enumerable.Range(2, 20000).Select(i => (long)i), records.Select(r => r.Origin.Line));
            var stats = Assert.Single(reader.Statistics);
            Assert.Equal((20000L, 20000L, 0L, 0L), (stats.Read, stats.Used, stats.Filtered, stats.Rejected));
            Assert.NotEmpty(log.Progress);
            Assert.All(log.Progress, p => Assert.InRange(p.Percent, 0, 100));
            Assert.Equal(100, log.Progress[^1].Percent);
        }

        [Fact]
        public void ReadDeviceEvents_WhenEnumerationAbandoned_ShouldStopWithoutError()
        {
            using var dir = new TempDir();
            var paths = Split(dir);
            var reader = new EvidenceReader(new CollectingLog()) { MaxParallelFiles = 4 };
            var files = reader.Resolve(paths, EvidenceTable.DeviceEvents);
            var first = reader.ReadDeviceEvents(files).Take(1).ToList();
            Assert.Single(first);
            Assert.Equal(Path.GetFullPath(paths[0]), first[0].Origin.Source);
        }
    }
}
