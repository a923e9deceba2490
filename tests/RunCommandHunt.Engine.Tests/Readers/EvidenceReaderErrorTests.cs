using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Readers
{
    /// <summary>Bad rows, accounting, and files that cannot be read as asked.</summary>
    public class EvidenceReaderErrorTests
    {
        private static EvidenceException Refused(Action action) => Assert.Throws<EvidenceException>(action);

        private static void AssertAccounting(FileReadStatistics s) => Assert.Equal(s.Read, s.Used + s.Filtered + s.Rejected);

        [Fact]
        public void ReadDeviceFileEvents_WhenBadRows_ShouldRejectEachNamingFileLineColumnAndValue()
        {
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            var files = reader.Resolve(new[] { Fixtures.Path("DeviceFileEvents_bad_rows.csv") }, EvidenceTable.DeviceFileEvents);
            var used = reader.ReadDeviceFileEvents(files, r => r.InitiatingProcessFileName == "RunCommandExtension.exe").ToList();

            Assert.Equal(new[] { "script1.ps1", "multi\nline.ps1" }, used.Select(r => r.FileName));
            Assert.Equal(new long[] { 2, 8 }, used.Select(r => r.Origin.Line));
            var stats = Assert.Single(reader.Statistics);
            Assert.Equal((9L, 2L, 1L, 6L), (stats.Read, stats.Used, stats.Filtered, stats.Rejected));
            AssertAccounting(stats);

            var path = files[0].Path;
            Assert.All(log.Rejected, e => Assert.Equal(path, e.Source));
            var byLine = log.Rejected.ToDictionary(e => e.Line);
            Assert.Equal(new long[] { 3, 4, 5, 6, 7, 11 }, byLine.Keys.OrderBy(k => k));
            Assert.Equal(("TimeGenerated", "2023-13-01T00:00:00Z"), (byLine[3].Column, byLine[3].Value));
            Assert.Contains("not a datetime", byLine[3].Reason);
            Assert.Equal(("TimeGenerated", ""), (byLine[4].Column, byLine[4].Value));
            Assert.Contains("empty", byLine[4].Reason);
            Assert.Equal(("FileSize", "12kb"), (byLine[5].Column, byLine[5].Value));
            Assert.Contains("3 fields, the header has 6", byLine[6].Reason);
            Assert.Equal("InitiatingProcessFileName", byLine[6].Column);
            Assert.Equal("2023-06-09T10:00:05Z,vm1,script5.ps1", byLine[6].Value);
            Assert.Contains("7 fields, the header has 6", byLine[7].Reason);
            Assert.Contains("not closed", byLine[11].Reason);
            Assert.Equal("FileName", byLine[11].Column);
            Assert.StartsWith("script9.ps1", byLine[11].Value);
            Assert.Contains($"{path}, line 5, column FileSize: value '12kb'", byLine[5].ToString());

            Assert.Contains(log.Verbose, m => m == $"{path}: DeviceFileEvents, CSV: read 9, used 2, filtered 1, rejected 6");
            Assert.Contains(log.Warnings, m => m.StartsWith(path) && m.Contains("6 of 9"));
        }

        [Fact]
        public void ReadDeviceFileEvents_WhenLastLineTruncated_ShouldRejectItAsCutShort()
        {
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            var records = reader.ReadDeviceFileEvents(reader.Resolve(new[] { Fixtures.Path("DeviceFileEvents_truncated.csv") }, EvidenceTable.DeviceFileEvents)).ToList();

            Assert.Single(records);
            var error = Assert.Single(log.Rejected);
            Assert.Equal(3, error.Line);
            Assert.Contains("cut short", error.Reason);
            Assert.Equal("2023-06-09T10:00:02Z,vm1,scr", error.Value);
            AssertAccounting(reader.Statistics[0]);
        }

        [Theory]
        [InlineData("{\"TimeGenerated\":\"2023-06-09T10:00:00Z\",\"DeviceName\":\"vm\",\"InitiatingProcessCommandLine\":\"c\",\"AdditionalFields\":\"{}\"}\n{\"TimeGenerated\":\"2023-06-09T10:00:01Z\",\"Devi", "dev.jsonl", 2)]
        [InlineData("[{\"TimeGenerated\":\"2023-06-09T10:00:00Z\",\"DeviceName\":\"vm\",\"InitiatingProcessCommandLine\":\"c\",\"AdditionalFields\":\"{}\"},\n{\"TimeGenerated\":\"2023-06-09T10:00:01Z\",\"Devi", "dev.json", 2)]
        [InlineData("{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"TimeGenerated\"},{\"name\":\"DeviceName\"},{\"name\":\"InitiatingProcessCommandLine\"},{\"name\":\"AdditionalFields\"}],\"rows\":[\n[\"2023-06-09T10:00:00Z\",\"vm\",\"c\",\"{}\"],\n[\"2023-06-09T10:00:01Z\",\"v", "la.json", 3)]
        public void ReadDeviceEvents_WhenJsonCutOff_ShouldRejectTheLastRowAndKeepTheRest(string content, string name, long lastRowLine)
        {
            using var dir = new TempDir();
            var path = dir.Write("DeviceEvents_" + name, content);
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            var records = reader.ReadDeviceEvents(reader.Resolve(new[] { path }, EvidenceTable.DeviceEvents)).ToList();

            Assert.Single(records);
            var error = Assert.Single(log.Rejected);
            Assert.Equal(lastRowLine, error.Line);
            Assert.Contains("truncated", error.Reason);
            var stats = reader.Statistics[0];
            Assert.Equal((2L, 1L, 1L), (stats.Read, stats.Used, stats.Rejected));
        }

        [Fact]
        public void ReadDeviceEvents_WhenJsonLinesHasBadLines_ShouldRejectThemAndGoOn()
        {
            using var dir = new TempDir();
            var good = "{\"TimeGenerated\":\"2023-06-09T10:00:00Z\",\"DeviceName\":\"vm\",\"InitiatingProcessCommandLine\":\"c\",\"AdditionalFields\":\"{}\",\"InitiatingProcessId\":1}";
            var path = dir.Write("DeviceEvents.jsonl", string.Join("\n", good, "{not json}", "", "[1,2]", good.Replace(":1}", ":\"x1\"}"), good) + "\n");
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            var records = reader.ReadDeviceEvents(reader.Resolve(new[] { path }, EvidenceTable.DeviceEvents)).ToList();

            Assert.Equal(new long[] { 1, 6 }, records.Select(r => r.Origin.Line));
            Assert.Equal(new long[] { 2, 4, 5 }, log.Rejected.Select(e => e.Line));
            Assert.Contains("not valid JSON", log.Rejected[0].Reason);
            Assert.Contains("expected a JSON object", log.Rejected[1].Reason);
            Assert.Equal(("InitiatingProcessId", "x1"), (log.Rejected[2].Column, log.Rejected[2].Value));
            Assert.Equal((5L, 2L, 3L), (reader.Statistics[0].Read, reader.Statistics[0].Used, reader.Statistics[0].Rejected));
        }

        [Fact]
        public void ReadDeviceEvents_WhenLogAnalyticsRowHasWrongCellCount_ShouldRejectIt()
        {
            using var dir = new TempDir();
            var path = dir.Write("la.json",
                "{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"TimeGenerated\"},{\"name\":\"DeviceName\"},{\"name\":\"InitiatingProcessCommandLine\"},{\"name\":\"AdditionalFields\"}],\"rows\":[\n" +
                "[\"2023-06-09T10:00:00Z\",\"vm\",\"c\"],\n[\"2023-06-09T10:00:01Z\",\"vm\",\"c\",\"{}\"]]}]}");
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            var records = reader.ReadDeviceEvents(reader.Resolve(new[] { path }, EvidenceTable.DeviceEvents)).ToList();
            Assert.Single(records);
            var error = Assert.Single(log.Rejected);
            Assert.Equal(2, error.Line);
            Assert.Contains("row 1: 3 cells, the response has 4 columns", error.Reason);
        }

        [Fact]
        public void Resolve_WhenLogAnalyticsResponseCarriesPartialError_ShouldRefuseItNamingCodeAndMessage()
        {
            var path = Fixtures.Path("deviceevents_partial_error.json");
            var ex = Refused(() => new EvidenceReader(new CollectingLog()).Resolve(new[] { path }, EvidenceTable.DeviceEvents));
            Assert.Equal("PartialResult", ex.Reason);
            Assert.Equal(path, ex.Source);
            Assert.Contains("PartialError: There were some errors when processing your query.", ex.Message);
            Assert.Contains("exceeded the internal record count limit", ex.Message);
        }

        [Fact]
        public void ReadDeviceEvents_WhenPartialErrorFileReadWithoutResolveCheck_ShouldThrowAfterTheRows()
        {
            // Resolve in a directory of other tables skips the scan; reading still refuses the file at its error.
            var path = Fixtures.Path("deviceevents_partial_error.json");
            var reader = new EvidenceReader(new CollectingLog());
            var file = Assert.Single(reader.Resolve(new[] { Fixtures.Path("deviceevents_la_api.json") }, EvidenceTable.DeviceEvents));
            var partial = new EvidenceFile(path, EvidenceTable.DeviceEvents, file.Format, true);
            var seen = new List<DeviceEventRecord>();
            var ex = Refused(() => seen.AddRange(reader.ReadDeviceEvents(new[] { partial })));
            Assert.Equal("PartialResult", ex.Reason);
            Assert.Equal(3, seen.Count);
            Assert.False(reader.Statistics[0].Completed);
        }

        [Fact]
        public void Resolve_WhenErrorComesBeforeTables_ShouldRefuseIt()
        {
            var ex = Refused(() => new EvidenceReader(new CollectingLog()).Resolve(new[] { Fixtures.Path("deviceevents_error_first.json") }, EvidenceTable.DeviceEvents));
            Assert.Equal("PartialResult", ex.Reason);
            Assert.Contains("Low memory condition", ex.Message);
        }

        [Fact]
        public void Resolve_WhenFileIsAnErrorResponse_ShouldSayWhichError()
        {
            var ex = Refused(() => new EvidenceReader(new CollectingLog()).Resolve(new[] { Fixtures.Path("error_only.json") }, EvidenceTable.DeviceEvents));
            Assert.Equal("Unreadable", ex.Reason);
            Assert.Contains("BadArgumentError: The request had some invalid properties (A recognition error occurred in the query.)", ex.Message);
        }

        [Fact]
        public void Resolve_WhenExplicitFileIsAnotherTable_ShouldRefuseWithWrongTable()
        {
            var path = Fixtures.Path("deviceevents.jsonl");
            var ex = Refused(() => new EvidenceReader(new CollectingLog()).Resolve(new[] { path }, EvidenceTable.AzureActivity));
            Assert.Equal("WrongTable", ex.Reason);
            Assert.Equal($"{path} is a DeviceEvents file; this command reads AzureActivity", ex.Message);
        }

        [Fact]
        public void Resolve_WhenExplicitFileLacksRequiredColumns_ShouldNameThemAndTheColumnsFound()
        {
            var path = Fixtures.Path("activity_missing_columns.csv");
            var ex = Refused(() => new EvidenceReader(new CollectingLog()).Resolve(new[] { path }, EvidenceTable.AzureActivity, EvidenceTable.DeviceEvents));
            Assert.Equal("MissingColumn", ex.Reason);
            Assert.Contains("not a AzureActivity file: the required columns Caller, CorrelationId are missing", ex.Message);
            Assert.Contains("Columns found: TimeGenerated, OperationNameValue, ActivityStatusValue, Authorization, CallerIpAddress", ex.Message);
            Assert.Equal("Caller", ex.Column);
        }

        [Fact]
        public void Resolve_WhenColumnsFitSeveralTables_ShouldRefuseAsAmbiguousNamingThem()
        {
            var ex = Refused(() => new EvidenceReader(new CollectingLog()).Resolve(new[] { Fixtures.Path("export.csv") }, EvidenceTable.DeviceEvents));
            Assert.Equal("AmbiguousTable", ex.Reason);
            Assert.Contains("DeviceEvents and DeviceProcessEvents", ex.Message);
        }

        [Fact]
        public void Resolve_WhenFileNameNamesOneCandidate_ShouldUseIt()
        {
            using var dir = new TempDir();
            var path = dir.CopyFixture("export.csv", "DeviceProcessEvents_export.csv");
            var log = new CollectingLog();
            var file = Assert.Single(new EvidenceReader(log).Resolve(new[] { path }, EvidenceTable.DeviceProcessEvents));
            Assert.Equal(EvidenceTable.DeviceProcessEvents, file.Table);
            Assert.Contains(log.Verbose, m => m.Contains("by its file name"));
        }

        [Fact]
        public void Resolve_WhenTypeColumnNamesTheTable_ShouldUseItAndRejectRowsOfOtherTables()
        {
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            var file = Assert.Single(reader.Resolve(new[] { Fixtures.Path("union_export.csv") }, EvidenceTable.DeviceEvents));
            Assert.Equal(EvidenceTable.DeviceEvents, file.Table);
            var records = reader.ReadDeviceEvents(new[] { file }).ToList();
            Assert.Equal("Get-Item", Assert.Single(records).Command);
            var error = Assert.Single(log.Rejected);
            Assert.Equal((3L, "Type", "DeviceProcessEvents"), (error.Line, error.Column, error.Value));
            Assert.Throws<EvidenceException>(() => reader.Resolve(new[] { Fixtures.Path("union_export.csv") }, EvidenceTable.DeviceProcessEvents));
        }

        [Fact]
        public void Resolve_WhenDirectory_ShouldKeepWantedTablesAndSkipOthersVerbosely()
        {
            using var dir = new TempDir();
            var activity = dir.CopyFixture("AzureActivity_la_export.csv");
            dir.CopyFixture("deviceevents.jsonl");
            dir.CopyFixture("README.txt");
            dir.CopyFixture("export.csv");
            dir.Write("empty.csv", "");
            Directory.CreateDirectory(dir.File("nested"));
            File.Copy(Fixtures.Path("AzureActivity_portal.csv"), Path.Combine(dir.File("nested"), "AzureActivity_portal.csv"));
            var log = new CollectingLog();

            var files = new EvidenceReader(log).Resolve(new[] { dir.Path }, EvidenceTable.AzureActivity);

            var file = Assert.Single(files);
            Assert.Equal(activity, file.Path);
            Assert.False(file.Explicit);
            Assert.Contains(log.Verbose, m => m.StartsWith(dir.File("deviceevents.jsonl")) && m.Contains("a DeviceEvents file; this command reads AzureActivity"));
            Assert.Contains(log.Verbose, m => m.StartsWith(dir.File("README.txt")) && m.Contains("not one of the evidence tables"));
            Assert.Contains(log.Verbose, m => m.StartsWith(dir.File("export.csv")) && m.Contains("none of which is read here"));
            Assert.Contains(log.Verbose, m => m.StartsWith(dir.File("empty.csv")) && m.Contains("empty"));
            Assert.Empty(log.Warnings);
        }

        [Fact]
        public void Resolve_WhenDirectoryHoldsAnAmbiguousFileOfAWantedTable_ShouldRefuseIt()
        {
            using var dir = new TempDir();
            dir.CopyFixture("export.csv");
            var ex = Refused(() => new EvidenceReader(new CollectingLog()).Resolve(new[] { dir.Path }, EvidenceTable.DeviceEvents));
            Assert.Equal("AmbiguousTable", ex.Reason);
        }

        [Fact]
        public void Resolve_WhenWildcard_ShouldExpandTheLastSegmentOnly()
        {
            using var dir = new TempDir();
            var a = dir.CopyFixture("AzureActivity_la_export.csv", "act-1.csv");
            var b = dir.CopyFixture("AzureActivity_portal.csv", "act-2.csv");
            dir.CopyFixture("AzureActivity_portal.csv", "act-10.txt");
            dir.CopyFixture("deviceevents.jsonl", "act-3.csv");
            var log = new CollectingLog();
            var files = new EvidenceReader(log).Resolve(new[] { Path.Combine(dir.Path, "act-?.csv") }, EvidenceTable.AzureActivity);
            Assert.Equal(new[] { a, b }, files.Select(f => f.Path));
            Assert.All(files, f => Assert.False(f.Explicit));
            Assert.Contains(log.Verbose, m => m.StartsWith(dir.File("act-3.csv")) && m.Contains("skipped"));
        }

        [Fact]
        public void Resolve_WhenPathMissingOrWildcardMatchesNothing_ShouldRefuseWithNotFound()
        {
            using var dir = new TempDir();
            var reader = new EvidenceReader(new CollectingLog());
            var missing = Refused(() => reader.Resolve(new[] { dir.File("nope.csv") }, EvidenceTable.AzureActivity));
            Assert.Equal("NotFound", missing.Reason);
            Assert.Contains(dir.File("nope.csv"), missing.Message);
            var none = Refused(() => reader.Resolve(new[] { dir.File("*.csv") }, EvidenceTable.AzureActivity));
            Assert.Equal("NotFound", none.Reason);
        }

        [Fact]
        public void Resolve_WhenSameFileNamedTwice_ShouldKeepItOnce()
        {
            var path = Fixtures.Path("AzureActivity_la_export.csv");
            var files = new EvidenceReader(new CollectingLog()).Resolve(new[] { path, path, Path.GetDirectoryName(path)! }, EvidenceTable.AzureActivity);
            Assert.Single(files, f => f.Path == path);
        }

        [Fact]
        public void ReadAzureActivity_WhenFileIsOfAnotherTable_ShouldRefuse()
        {
            var reader = new EvidenceReader(new CollectingLog());
            var files = reader.Resolve(new[] { Fixtures.Path("deviceevents.jsonl") }, EvidenceTable.DeviceEvents);
            var ex = Refused(() => reader.ReadAzureActivity(files).ToList());
            Assert.Equal("WrongTable", ex.Reason);
        }

        [Fact]
        public void ReadDeviceEvents_WhenCancelled_ShouldStopBetweenRows()
        {
            using var cts = new CancellationTokenSource();
            var reader = new EvidenceReader(new CollectingLog(), cts.Token);
            var files = reader.Resolve(new[] { Fixtures.Path("deviceevents.jsonl") }, EvidenceTable.DeviceEvents);
            var seen = 0;
            Assert.ThrowsAny<OperationCanceledException>(() =>
            {
                foreach (var unused in reader.ReadDeviceEvents(files))
                {
                    seen++;
                    cts.Cancel();
                }
            });
            Assert.Equal(1, seen);
            Assert.False(reader.Statistics[0].Completed);
        }

        [Fact]
        public void ReadDeviceEvents_WhenEnumeratedOnAnotherThread_ShouldStreamLazily()
        {
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            var files = reader.Resolve(new[] { Fixtures.Path("deviceevents.jsonl") }, EvidenceTable.DeviceEvents);
            var sequence = reader.ReadDeviceEvents(files);
            Assert.Empty(reader.Statistics);
            var count = System.Threading.Tasks.Task.Run(() => sequence.Count()).Result;
            Assert.Equal(3, count);
            Assert.Equal(3, reader.Statistics[0].Used);
        }

        [Fact]
        public void Resolve_WhenWorkbookOrBinaryFile_ShouldSkipItInADirectoryAndRefuseItByName()
        {
            using var dir = new TempDir();
            var xlsx = dir.WriteBytes("DeviceEvents.xlsx", new byte[] { (byte)'P', (byte)'K', 3, 4, 20, 0, 6, 0, 8, 0 });
            var bin = dir.WriteBytes("memory.dmp", new byte[] { (byte)'M', (byte)'D', (byte)'M', (byte)'P', 0, 0, 1, 2 });
            dir.CopyFixture("deviceevents.jsonl");
            var log = new CollectingLog();

            Assert.Single(new EvidenceReader(log).Resolve(new[] { dir.Path }, EvidenceTable.DeviceEvents));
            Assert.Contains(log.Verbose, m => m.StartsWith(xlsx) && m.Contains("Excel workbook") && m.Contains("skipped"));
            Assert.Contains(log.Verbose, m => m.StartsWith(bin) && m.Contains("binary file"));
            var ex = Refused(() => new EvidenceReader(log).Resolve(new[] { xlsx }, EvidenceTable.DeviceEvents));
            Assert.Equal("UnknownFormat", ex.Reason);
        }

        [Fact]
        public void Resolve_WhenCsvIsNotUtf8_ShouldWarnAndStillReadTheRows()
        {
            using var dir = new TempDir();
            var latin1 = System.Text.Encoding.GetEncoding("iso-8859-1");
            var path = dir.WriteBytes("DeviceFileEvents.csv", latin1.GetBytes(
                "TimeGenerated,DeviceName,FileName,InitiatingProcessFileName\n2023-06-09T10:00:00Z,vm1,r\u00e9sum\u00e9.ps1,RunCommandExtension.exe\n"));
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            var record = Assert.Single(reader.ReadDeviceFileEvents(reader.Resolve(new[] { path }, EvidenceTable.DeviceFileEvents)));
            Assert.Equal("r\ufffdsum\ufffd.ps1", record.FileName);
            Assert.Contains(log.Warnings, m => m.StartsWith(path) && m.Contains("not valid UTF-8"));
        }

        [Fact]
        public void ReadDeviceFileEvents_WhenFileIsLong_ShouldReportProgressByBytesUpToTheEnd()
        {
            using var dir = new TempDir();
            var sb = new System.Text.StringBuilder("TimeGenerated,DeviceName,FileName,InitiatingProcessFileName\n");
            for (int i = 0; i < 5000; i++) sb.Append($"2023-06-09T10:00:00Z,vm{i},script{i}.ps1,RunCommandExtension.exe\n");
            var path = dir.Write("DeviceFileEvents.csv", sb.ToString());
            var log = new CollectingLog();
            var reader = new EvidenceReader(log) { ProgressIntervalMs = 0 };
            Assert.Equal(5000, reader.ReadDeviceFileEvents(reader.Resolve(new[] { path }, EvidenceTable.DeviceFileEvents)).Count());

            Assert.Equal(5, log.Progress.Count); // every 1024 rows, then the end
            Assert.All(log.Progress, p => Assert.Equal("Reading DeviceFileEvents", p.Activity));
            Assert.All(log.Progress, p => Assert.InRange(p.Percent, 0, 100));
            Assert.Equal(100, log.Progress[^1].Percent);
            Assert.Contains("DeviceFileEvents.csv", log.Progress[0].Status);
        }
    }
}