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
        private static string SamplesDir()
        {
            var dir = AppContext.BaseDirectory;
            while (!Directory.Exists(Path.Combine(dir, "samples"))) dir = Path.GetDirectoryName(dir)!;
            return Path.Combine(dir, "samples");
        }

        /// <summary>Four DeviceEvents files: the samples' rows dealt out in turn, so that each file has some of every run.</summary>
        private static string[] Split(TempDir dir)
        {
            var lines = File.ReadAllLines(Path.Combine(SamplesDir(), "DeviceEvents.csv"));
            return Enumerable.Range(0, 4).Select(k =>
                dir.Write($"DeviceEvents_{k}.csv", string.Join("\n", new[] { lines[0] }.Concat(lines.Skip(1).Where((_, i) => i % 4 == k))) + "\n")).ToArray();
        }

        [Theory]
        [InlineData(CompatibilityMode.None)]
        [InlineData(CompatibilityMode.AnalyticRule)]
        public void ReadDeviceEvents_WhenSeveralFilesReadAtOnce_ShouldGiveTheRecordsAndCountsOfOneAfterTheOther(CompatibilityMode mode)
        {
            using var dir = new TempDir();
            var paths = Split(dir);
            string[] Read(int parallel, out string[] stats)
            {
                var reader = new EvidenceReader(new CollectingLog()) { MaxParallelFiles = parallel };
                var files = reader.Resolve(paths, EvidenceTable.DeviceEvents);
                var records = reader.ReadDeviceEvents(files, RelevanceFilters.DeviceEvents(mode)).Select(r => JsonSerializer.Serialize(r)).ToArray();
                stats = reader.Statistics.Select(s => s.ToString()).OrderBy(s => s, StringComparer.Ordinal).ToArray();
                return records;
            }

            var one = Read(1, out var oneStats);
            var four = Read(4, out var fourStats);
            Assert.NotEmpty(one);
            Assert.Equal(one, four);
            Assert.Equal(oneStats, fourStats);
            Assert.Equal(4, fourStats.Length);
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
