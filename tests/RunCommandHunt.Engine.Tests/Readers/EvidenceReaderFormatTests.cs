using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Readers
{
    /// <summary>Each export format, read end to end through Resolve and Read*.</summary>
    public class EvidenceReaderFormatTests
    {
        private const string Scope = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/vm-web01";
        private const string RunCommandLine = "powershell  -ExecutionPolicy Unrestricted -File script12.ps1";

        private static DateTime Utc(int h, int mi, int s, long ticks = 0) => new DateTime(2023, 6, 9, h, mi, s, DateTimeKind.Utc).AddTicks(ticks);

        private static (List<T> Records, EvidenceFile File, CollectingLog Log, FileReadStatistics Stats) Read<T>(
            string path, EvidenceTable table, Func<EvidenceReader, IEnumerable<EvidenceFile>, IEnumerable<T>> read)
        {
            var log = new CollectingLog();
            var reader = new EvidenceReader(log);
            var files = reader.Resolve(new[] { path }, table);
            var file = Assert.Single(files);
            Assert.Equal(table, file.Table);
            var records = read(reader, files).ToList();
            var stats = Assert.Single(reader.Statistics);
            Assert.Equal(stats.Read, stats.Used + stats.Filtered + stats.Rejected);
            Assert.True(stats.Completed);
            return (records, file, log, stats);
        }

        private static List<AzureActivityRecord> ReadActivity(string path, out EvidenceFile file)
        {
            var result = Read(path, EvidenceTable.AzureActivity, (r, f) => r.ReadAzureActivity(f));
            file = result.File;
            return result.Records;
        }

        private static List<DeviceEventRecord> ReadDeviceEvents(string path, out EvidenceFile file, out CollectingLog log)
        {
            var result = Read(path, EvidenceTable.DeviceEvents, (r, f) => r.ReadDeviceEvents(f));
            file = result.File;
            log = result.Log;
            return result.Records;
        }

        [Fact]
        public void ReadAzureActivity_WhenLogAnalyticsCsv_ShouldMapEveryRowExactly()
        {
            var records = ReadActivity(Fixtures.Path("AzureActivity_la_export.csv"), out var file);

            Assert.Equal("CSV", file.Format);
            Assert.True(file.Explicit);
            Assert.Equal(new[] { "Started", "Accepted", "Succeeded", "Success" }, records.Select(r => r.ActivityStatusValue));
            Assert.Equal(new[] { Utc(10, 45, 31, 9521234), Utc(10, 45, 32, 1000000), Utc(10, 46, 5, 1), Utc(11, 0, 0) }, records.Select(r => r.TimeGenerated));
            Assert.All(records, r => Assert.Equal(DateTimeKind.Utc, r.TimeGenerated.Kind));
            var first = records[0];
            Assert.Equal("{\"action\":\"Microsoft.Compute/virtualMachines/runCommand/action\",\"scope\":\"" + Scope + "\"}", first.Authorization);
            Assert.Equal(("alice@contoso.com", "203.0.113.7", "5d0c2bd0-7f1e-4f57-9c1e-1b2d3c4d5e6f", "Microsoft.Compute/virtualMachines/runCommand/action"),
                (first.Caller, first.CallerIpAddress, first.CorrelationId, first.OperationNameValue));
            Assert.Equal(("11111111-2222-3333-4444-555555555555", "rg-prod"), (first.SubscriptionId, first.ResourceGroup));
            Assert.StartsWith("/subscriptions/11111111", first.ResourceId);
            Assert.StartsWith("/SUBSCRIPTIONS/", records[3].ResourceId);
            Assert.Equal("", records[2].CallerIpAddress);
            // The first row spans lines 2-4 (a quoted JSON value with line breaks).
            Assert.Equal(new long[] { 2, 5, 6, 7 }, records.Select(r => r.Origin.Line));
            Assert.All(records, r => Assert.Equal(file.Path, r.Origin.Source));
        }

        [Fact]
        public void ReadAzureActivity_WhenPortalCsv_ShouldStripUtcSuffixAndParsePortalDatetimes()
        {
            var records = ReadActivity(Fixtures.Path("AzureActivity_portal.csv"), out var file);

            Assert.Equal("Portal CSV", file.Format);
            Assert.Equal(new[] { Utc(10, 45, 31, 9520000), Utc(10, 45, 32, 1000000), Utc(12, 1, 5) }, records.Select(r => r.TimeGenerated));
            Assert.Equal("{\"action\":\"Microsoft.Compute/virtualMachines/runCommand/action\",\"scope\":\"" + Scope + "\"}", records[0].Authorization);
        }

        [Fact]
        public void ReadDeviceFileEvents_WhenSemicolonExcelCsv_ShouldDetectDelimiterAndAcceptDecimalLongs()
        {
            var (records, file, _, _) = Read(Fixtures.Path("DeviceFileEvents_excel.csv"), EvidenceTable.DeviceFileEvents, (r, f) => r.ReadDeviceFileEvents(f));

            Assert.Equal("CSV (semicolon)", file.Format);
            Assert.Equal(2, records.Count);
            var script = records[0];
            Assert.Equal(Utc(10, 45, 33, 1234567), script.TimeGenerated);
            Assert.Equal((1234L as long?, 4242L as long?), (script.FileSize, script.InitiatingProcessId));
            Assert.Equal(("script12.ps1", "RunCommandExtension.exe", "system", "nt authority", "\"RunCommandExtension.exe\" enable"),
                (script.FileName, script.InitiatingProcessFileName, script.InitiatingProcessAccountName, script.InitiatingProcessAccountDomain, script.InitiatingProcessCommandLine));
            Assert.EndsWith(@"\Downloads\script12.ps1", script.FolderPath);
            var other = records[1];
            Assert.Equal(("notes;draft.txt", null as long?, null as long?, "notepad.exe \"C:\\Temp\\notes;draft.txt\""),
                (other.FileName, other.FileSize, other.InitiatingProcessId, other.InitiatingProcessCommandLine));
        }

        [Fact]
        public void ReadDeviceProcessEvents_WhenTabSeparated_ShouldDetectTabs()
        {
            var (records, file, _, _) = Read(Fixtures.Path("DeviceProcessEvents_linux.tsv"), EvidenceTable.DeviceProcessEvents, (r, f) => r.ReadDeviceProcessEvents(f));

            Assert.Equal("CSV (tab)", file.Format);
            var r0 = Assert.Single(records);
            Assert.Equal((Utc(10, 45, 50, 7), "vm-lnx01", "bash", "/bin/sh -c /var/lib/waagent/run-command/download/3/script.sh", 31337L as long?, "run-command-shim", 31000L as long?, "root"),
                (r0.TimeGenerated, r0.DeviceName, r0.FileName, r0.ProcessCommandLine, r0.ProcessId, r0.InitiatingProcessFileName, r0.InitiatingProcessId, r0.AccountName));
        }

        [Fact]
        public void ReadDeviceEvents_WhenLogAnalyticsApiJson_ShouldReadDynamicAsTextAndNumbersAsStrings()
        {
            var records = ReadDeviceEvents(Fixtures.Path("deviceevents_la_api.json"), out var file, out _);

            Assert.Equal("Log Analytics API JSON", file.Format);
            Assert.Equal(new[] { "script12.ps1", "Get-Process", "Write-Output" }, records.Select(r => r.Command));
            Assert.Equal(new long?[] { 5151, 5151, null }, records.Select(r => r.InitiatingProcessId));
            Assert.Equal(new[] { Utc(10, 45, 40, 5000000), Utc(10, 45, 40, 5000001), Utc(10, 45, 41) }, records.Select(r => r.TimeGenerated));
            Assert.Equal("{\"Command\":\"script12.ps1\"}", records[0].AdditionalFields);
            // Nested dynamic: compact text, numbers as written.
            Assert.Equal("{\"Command\":\"Write-Output\",\"Extra\":[1,2.5,true,null]}", records[2].AdditionalFields);
            Assert.All(records, r => Assert.Equal(RunCommandLine, r.InitiatingProcessCommandLine));
            // Each row's line is the line its array opens on in the pretty-printed response.
            var lines = File.ReadAllLines(file.Path);
            Assert.All(records, r => Assert.Contains("[", lines[r.Origin.Line - 1]));
            Assert.Equal(records.Select(r => r.Origin.Line).Distinct().Count(), records.Count);
        }

        [Fact]
        public void ReadDeviceEvents_WhenGraphHuntingJson_ShouldReadTimestampAsTimeGenerated()
        {
            var records = ReadDeviceEvents(Fixtures.Path("deviceevents_graph.json"), out var file, out _);

            Assert.Equal("Graph hunting JSON", file.Format);
            Assert.Equal(new[] { Utc(10, 45, 42, 1234567), Utc(10, 45, 43) }, records.Select(r => r.TimeGenerated));
            Assert.Equal(new[] { "Get-ChildItem", "Out-Default" }, records.Select(r => r.Command));
            Assert.Equal("d0c1a2b3", records[0].DeviceId);
        }

        [Fact]
        public void ReadDeviceFileEvents_WhenLegacyHuntingApiJson_ShouldReadCapitalisedSchemaAndResults()
        {
            var (records, file, _, _) = Read(Fixtures.Path("devicefileevents_hunting_api.json"), EvidenceTable.DeviceFileEvents, (r, f) => r.ReadDeviceFileEvents(f));

            Assert.Equal("Advanced hunting API JSON", file.Format);
            var r0 = Assert.Single(records);
            Assert.Equal((Utc(10, 45, 33, 1234567), "script12.ps1", 1234L as long?, 4242L as long?), (r0.TimeGenerated, r0.FileName, r0.FileSize, r0.InitiatingProcessId));
        }

        [Fact]
        public void ReadDeviceEvents_WhenJsonArrayWithNestedDynamic_ShouldStoreCompactTextWithoutEscapingNonAscii()
        {
            var records = ReadDeviceEvents(Fixtures.Path("deviceevents_array.json"), out var file, out _);

            Assert.Equal("JSON array", file.Format);
            Assert.Equal("{\"Command\":\"Get-Service\",\"Detail\":{\"note\":\"café – 字\",\"path\":\"C:\\\\temp\\\\a.ps1\",\"tab\":\"a\\tb\"}}", records[0].AdditionalFields);
            Assert.Equal("Get-Service", records[0].Command);
            Assert.Equal("{\"Name\":\"Set-Item\",\"Args\":[\"-Path\",\"x\"]}", records[1].Command);
            Assert.Equal(new long?[] { 5151, 5151 }, records.Select(r => r.InitiatingProcessId));
            Assert.Equal(Utc(10, 45, 44, 1), records[0].TimeGenerated);
        }

        [Fact]
        public void ReadDeviceEvents_WhenJsonLinesWithNestedAndTextDynamic_ShouldReadBothAndKeepInvalidJson()
        {
            var records = ReadDeviceEvents(Fixtures.Path("deviceevents.jsonl"), out var file, out var log);

            Assert.Equal("JSON Lines", file.Format);
            Assert.Equal(new[] { "Get-Date", "Get-Host", "" }, records.Select(r => r.Command));
            Assert.Equal("Get-Date\nexit 0", records[0].ScriptContent);
            Assert.Equal("{\"Command\":\"Get-Date\",\"ScriptContent\":\"Get-Date\\nexit 0\"}", records[0].AdditionalFields);
            Assert.Equal("not json at all", records[2].AdditionalFields);
            Assert.Equal(new long[] { 1, 2, 3 }, records.Select(r => r.Origin.Line));
            Assert.Empty(log.Rejected);
            Assert.Single(log.Verbose, m => m.Contains("1 used row(s) have an AdditionalFields that is not valid JSON"));
        }

        public static IEnumerable<object[]> TextFixtures() => new[]
        {
            new object[] { "AzureActivity_la_export.csv", EvidenceTable.AzureActivity },
            new object[] { "AzureActivity_portal.csv", EvidenceTable.AzureActivity },
            new object[] { "DeviceFileEvents_excel.csv", EvidenceTable.DeviceFileEvents },
            new object[] { "DeviceProcessEvents_linux.tsv", EvidenceTable.DeviceProcessEvents },
            new object[] { "deviceevents_la_api.json", EvidenceTable.DeviceEvents },
            new object[] { "deviceevents_graph.json", EvidenceTable.DeviceEvents },
            new object[] { "devicefileevents_hunting_api.json", EvidenceTable.DeviceFileEvents },
            new object[] { "deviceevents_array.json", EvidenceTable.DeviceEvents },
            new object[] { "deviceevents.jsonl", EvidenceTable.DeviceEvents },
        };

        /// <summary>Records as comparable text (all fields but the origin's file name).</summary>
        internal static List<string> ReadAsText(string path, EvidenceTable table, out EvidenceFile file)
        {
            var reader = new EvidenceReader(new CollectingLog());
            var files = reader.Resolve(new[] { path }, table);
            file = Assert.Single(files);
            IEnumerable<object> records = table switch
            {
                EvidenceTable.AzureActivity => reader.ReadAzureActivity(files),
                EvidenceTable.DeviceFileEvents => reader.ReadDeviceFileEvents(files),
                EvidenceTable.DeviceEvents => reader.ReadDeviceEvents(files),
                _ => reader.ReadDeviceProcessEvents(files),
            };
            return records.Select(RecordText).ToList();
        }

        internal static string RecordText(object record)
        {
            var parts = record.GetType().GetProperties()
                .Where(p => p.Name != "Origin")
                .Select(p => p.Name + "=" + (p.GetValue(record) is DateTime d ? d.Ticks + ":" + d.Kind : p.GetValue(record)?.ToString() ?? "<null>"));
            var origin = (RecordOrigin)record.GetType().GetProperty("Origin")!.GetValue(record)!;
            return string.Join("|", parts) + "|line=" + origin.Line;
        }

        [Theory]
        [MemberData(nameof(TextFixtures))]
        public void Read_WhenGzipCompressed_ShouldGiveTheSameRecords(string fixture, EvidenceTable table)
        {
            using var dir = new TempDir();
            var expected = ReadAsText(Fixtures.Path(fixture), table, out var plain);
            var gz = dir.WriteBytes(fixture + ".gz", Fixtures.Gzip(Fixtures.Bytes(fixture)));
            var actual = ReadAsText(gz, table, out var file);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, actual);
            Assert.Equal(plain.Format.EndsWith(")") ? plain.Format.Replace(")", ", gzip)") : plain.Format + " (gzip)", file.Format);
        }

        [Theory]
        [MemberData(nameof(TextFixtures))]
        public void Read_WhenUtf16WithBom_ShouldGiveTheSameRecords(string fixture, EvidenceTable table)
        {
            using var dir = new TempDir();
            var expected = ReadAsText(Fixtures.Path(fixture), table, out _);
            var text = Fixtures.Text(fixture);
            var le = dir.WriteBytes("le_" + fixture, Fixtures.Encode(text, new UnicodeEncoding(false, true)));
            var be = dir.WriteBytes("be_" + fixture, Fixtures.Encode(text, new UnicodeEncoding(true, true)));
            Assert.Equal(expected, ReadAsText(le, table, out var leFile));
            Assert.Equal(expected, ReadAsText(be, table, out var beFile));
            Assert.Contains("UTF-16LE", leFile.Format);
            Assert.Contains("UTF-16BE", beFile.Format);
        }

        [Theory]
        [MemberData(nameof(TextFixtures))]
        public void Read_WhenUtf8BomAndGzipTogether_ShouldGiveTheSameRecords(string fixture, EvidenceTable table)
        {
            using var dir = new TempDir();
            var expected = ReadAsText(Fixtures.Path(fixture), table, out _);
            var bytes = Fixtures.Encode(Fixtures.Text(fixture), new UTF8Encoding(true));
            var path = dir.WriteBytes("bom_" + fixture + ".gz", Fixtures.Gzip(bytes));
            Assert.Equal(expected, ReadAsText(path, table, out _));
        }

        [Fact]
        public void Read_WhenLineEndingsChange_ShouldGiveTheSameRecordsAndLines()
        {
            using var dir = new TempDir();
            // The quoted JSON in the first row keeps its own LF line breaks; only the row separators change.
            var lines = Fixtures.Text("AzureActivity_la_export.csv").Replace("\r\n", "\n").Split('\n');
            var rows = new List<string>();
            foreach (var l in lines) if (rows.Count > 0 && rows[^1].Count(c => c == '"') % 2 == 1) rows[^1] += "\n" + l; else rows.Add(l);
            var crlf = ReadAsText(dir.Write("crlf.csv", string.Join("\r\n", rows)), EvidenceTable.AzureActivity, out _);
            Assert.Equal(4, crlf.Count);
            Assert.Equal(crlf, ReadAsText(dir.Write("lf.csv", string.Join("\n", rows)), EvidenceTable.AzureActivity, out _));
            Assert.Equal(crlf, ReadAsText(dir.Write("cr.csv", string.Join("\r", rows)), EvidenceTable.AzureActivity, out _));
        }

        [Fact]
        public void Read_WhenExtensionLies_ShouldDetectFormatByContent()
        {
            using var dir = new TempDir();
            var json = dir.CopyFixture("deviceevents_la_api.json", "DeviceEvents.csv");
            var csv = dir.CopyFixture("AzureActivity_la_export.csv", "activity.json");
            Assert.Equal("Log Analytics API JSON", Assert.Single(new EvidenceReader(new CollectingLog()).Resolve(new[] { json }, EvidenceTable.DeviceEvents)).Format);
            Assert.Equal("CSV", Assert.Single(new EvidenceReader(new CollectingLog()).Resolve(new[] { csv }, EvidenceTable.AzureActivity)).Format);
        }

        [Fact]
        public void Read_WhenExcelSepLine_ShouldUseTheNamedDelimiter()
        {
            using var dir = new TempDir();
            var path = dir.Write("DeviceFileEvents.csv",
                "sep=|\r\nTimeGenerated|DeviceName|FileName|InitiatingProcessFileName\r\n2023-06-09T10:00:00Z|vm1|a,b;c.ps1|RunCommandExtension.exe\r\n");
            var (records, file, _, _) = Read(path, EvidenceTable.DeviceFileEvents, (r, f) => r.ReadDeviceFileEvents(f));
            Assert.Equal("a,b;c.ps1", Assert.Single(records).FileName);
            Assert.Equal(3, records[0].Origin.Line);
            Assert.Contains("delimiter '|'", file.Format);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void ReadDeviceEvents_WhenLaterJsonRowsNameColumnsTheFirstLeftOut_ShouldReadThem(bool asArray)
        {
            using var dir = new TempDir();
            var first = "{\"TimeGenerated\":\"2023-06-09T10:00:00Z\",\"DeviceName\":\"vm1\",\"InitiatingProcessCommandLine\":\"c\",\"AdditionalFields\":null}";
            var second = "{\"TimeGenerated\":\"2023-06-09T10:00:01Z\",\"DeviceName\":\"vm1\",\"InitiatingProcessCommandLine\":\"c\",\"AdditionalFields\":{\"Command\":\"Get-Item\"},\"InitiatingProcessId\":42,\"folderpath\":\"C:\\\\x\"}";
            var path = asArray ? dir.Write("DeviceEvents.json", "[" + first + ",\n" + second + "]") : dir.Write("DeviceEvents.jsonl", first + "\n" + second + "\n");
            var (records, _, log, _) = Read(path, EvidenceTable.DeviceEvents, (r, f) => r.ReadDeviceEvents(f));
            Assert.Empty(log.Rejected);
            Assert.Equal(new long?[] { null, 42 }, records.Select(r => r.InitiatingProcessId));
            Assert.Equal(new[] { "", "C:\\x" }, records.Select(r => r.FolderPath));
            Assert.Equal(new[] { "", "Get-Item" }, records.Select(r => r.Command));
            Assert.Equal("", records[0].AdditionalFields);
        }
    }
}