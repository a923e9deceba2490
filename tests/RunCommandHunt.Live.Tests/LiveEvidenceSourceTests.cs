using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using RunCommandHunt.Engine.Kql;
using RunCommandHunt.Engine.Sources;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Live.Tests
{
    public class LiveEvidenceSourceTests
    {
        private static readonly QueryWindow Day = new QueryWindow(Opts.Utc(2024, 3, 1), Opts.Utc(2024, 3, 2));

        private static readonly Wire.Column[] ActivityColumns = RunCommandQueries.AzureActivityColumns
            .Select(c => new Wire.Column(c, c == "TimeGenerated" ? "datetime" : "string")).ToArray();

        private static RunCommandOperation Op(string vm, int hour, int minutes = 5, string correlation = "c") => new RunCommandOperation
        {
            VirtualMachineName = vm,
            StartTime = Day.Start.AddHours(hour),
            EndTime = Day.Start.AddHours(hour).AddMinutes(minutes),
            CorrelationId = correlation,
        };

        private static (LiveEvidenceSource Source, CapturingLog Log) Source(FakeHttpServer server, LiveHuntOptions? options = null)
        {
            var log = new CapturingLog();
            var client = new LogAnalyticsQueryClient(Opts.Workspace, new FakeCredential(Tokens.Secret), Opts.For(server), log);
            return (new LiveEvidenceSource(client, options, log), log);
        }

        private static FakeResponse Empty(string table)
        {
            var names = table == "DeviceFileEvents" ? RunCommandQueries.DeviceFileEventsColumns : RunCommandQueries.DeviceEventsColumns;
            var cols = new[] { new Wire.Column("TimeGenerated", "datetime") }.Concat(names.Select(n => new Wire.Column(n, "string"))).ToArray();
            return FakeResponse.Json(200, Wire.LaTable(cols, Array.Empty<object?[]>()));
        }

        [Fact]
        public void GetAzureActivity_WhenRowsArrive_ShouldMapThemAndReportABadRowWithColumnAndValue()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.LaTable(ActivityColumns, new[]
            {
                new object?[] { "2024-03-01T10:00:00.123Z", "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION", "Success",
                    "{\"scope\":\"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web01\"}",
                    "alice@contoso.com", "203.0.113.7", "11111111-2222-3333-4444-555555555555", "/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/virtualmachines/web01", "s", "rg" },
                new object?[] { "yesterday", "Microsoft.Compute/virtualMachines/runCommand/action", "Start", "", "", "", "x", "", "", "" },
            })));
            var (source, log) = Source(server);

            var records = source.GetAzureActivity(Day, CancellationToken.None).ToList();

            var a = Assert.Single(records);
            Assert.Equal(new DateTime(2024, 3, 1, 10, 0, 0, 123, DateTimeKind.Utc), a.TimeGenerated);
            Assert.Equal("alice@contoso.com", a.Caller);
            Assert.Equal("203.0.113.7", a.CallerIpAddress);
            Assert.Equal("/subscriptions/s/resourcegroups/rg/providers/microsoft.compute/virtualmachines/web01", a.ResourceId);
            Assert.Contains("Log Analytics workspace", a.Origin.Source);
            Assert.Contains("AzureActivity", a.Origin.Source);
            Assert.Equal(1, a.Origin.Line);

            var bad = Assert.Single(log.Rejected);
            Assert.Equal("TimeGenerated", bad.Column);
            Assert.Equal("yesterday", bad.Value);
            Assert.Equal(2, bad.Line);
            Assert.StartsWith("AzureActivity\n| where TimeGenerated >= datetime(2024-03-01T00:00:00.0000000Z)", server.Requests[0].JsonString("query"));
        }

        [Fact]
        public void GetDeviceFileEvents_WhenOperationsSpanMachines_ShouldAskOnceForAllOfThem()
        {
            using var server = new FakeHttpServer(r => Empty("DeviceFileEvents"));
            var (source, _) = Source(server);

            source.GetDeviceFileEvents(new[] { Op("web01", 1), Op("db01", 2), Op("WEB01", 3) }, CancellationToken.None).ToList();

            var request = Assert.Single(server.Requests);
            var q = request.JsonString("query");
            Assert.Contains("DeviceName =~ \"web01\"", q);
            Assert.Contains("DeviceName =~ \"db01\"", q);
            // Inclusive EndTime: the window ends one tick after it.
            Assert.Contains("TimeGenerated < datetime(2024-03-01T01:05:00.0000001Z)", q);
            Assert.Equal("2024-03-01T01:00:00.0000000Z/2024-03-01T03:05:00.0000001Z", request.JsonString("timespan"));
        }

        [Fact]
        public void GetDeviceFileEvents_WhenMoreMachinesThanABatch_ShouldSendOneQueryPerBatch()
        {
            using var server = new FakeHttpServer(r => Empty("DeviceFileEvents"));
            var (source, _) = Source(server, new LiveHuntOptions { DevicesPerQuery = 2 });

            source.GetDeviceFileEvents(new[] { Op("a", 1), Op("b", 2), Op("c", 3), Op("d", 4), Op("e", 5) }, CancellationToken.None).ToList();

            Assert.Equal(3, server.Requests.Count);
            Assert.Contains("\"e\"", server.Requests[2].JsonString("query"));
        }

        [Fact]
        public void GetDeviceFileEvents_WhenAnOperationHasNoMachineName_ShouldWarn()
        {
            using var server = new FakeHttpServer(r => Empty("DeviceFileEvents"));
            var (source, log) = Source(server);

            source.GetDeviceFileEvents(new[] { Op("", 1, correlation: "corr-1") }, CancellationToken.None).ToList();

            Assert.Empty(server.Requests);
            Assert.Contains(log.Warnings, w => w.Contains("corr-1"));
        }

        [Fact]
        public void GetDeviceFileEvents_WhenAMachineNameCannotBeSpliced_ShouldWarnAndStillAskForTheOthers()
        {
            using var server = new FakeHttpServer(r => Empty("DeviceFileEvents"));
            var (source, log) = Source(server);

            source.GetDeviceFileEvents(new[] { Op("bad\0name", 1, correlation: "corr-bad"), Op("good", 2) }, CancellationToken.None).ToList();

            var q = Assert.Single(server.Requests).JsonString("query");
            Assert.Contains("\"good\"", q);
            Assert.DoesNotContain("bad", q);
            var warning = Assert.Single(log.Warnings);
            Assert.Contains("corr-bad", warning);
            Assert.Contains("U+0000", warning);
        }

        [Fact]
        public void GetDeviceEvents_WhenASeedMode_ShouldAskForEveryMachineOverTheHuntWindow()
        {
            using var server = new FakeHttpServer(r => Empty("DeviceEvents"));
            var (source, _) = Source(server);

            source.GetDeviceEvents(new[] { Op("web01", 1) }, CompatibilityMode.HuntingQuery, Day, CancellationToken.None).ToList();

            var q = Assert.Single(server.Requests).JsonString("query");
            Assert.DoesNotContain("DeviceName =~", q);
            Assert.Contains("has \"-File\"", q);
            Assert.Equal(Day.ToIsoInterval(), server.Requests[0].JsonString("timespan"));
        }

        [Fact]
        public void GetDeviceEvents_WhenDefaultMode_ShouldAskForTheMachinesUntilTheScriptRunWindowEnds()
        {
            using var server = new FakeHttpServer(r => Empty("DeviceEvents"));
            var (source, _) = Source(server, new LiveHuntOptions { ScriptRunWindow = TimeSpan.FromHours(2) });

            source.GetDeviceEvents(new[] { Op("web01", 1) }, CompatibilityMode.None, null, CancellationToken.None).ToList();

            var q = Assert.Single(server.Requests).JsonString("query");
            Assert.Contains("DeviceName =~ \"web01\"", q);
            Assert.Contains("TimeGenerated < datetime(2024-03-01T03:05:00.0000001Z)", q);
        }

        [Fact]
        public void GetDeviceEvents_WhenDefenderXdr_ShouldMapTimestampRows()
        {
            var schema = new[] { new Wire.Column("Timestamp", "DateTime") }
                .Concat(RunCommandQueries.DeviceEventsColumns.Select(c => new Wire.Column(c, c == "InitiatingProcessId" ? "Int64" : "String"))).ToArray();
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.Graph(schema, new[]
            {
                new Dictionary<string, object?>
                {
                    ["Timestamp"] = "2024-03-01T10:00:05.1234567Z", ["DeviceName"] = "web01.contoso.com", ["ActionType"] = "PowerShellCommand",
                    ["InitiatingProcessCommandLine"] = "powershell -ExecutionPolicy Unrestricted -File script1.ps1",
                    ["InitiatingProcessId"] = 4242L, ["AdditionalFields"] = "{\"Command\":\"Get-Process\"}",
                },
            })));
            var log = new CapturingLog();
            var client = new DefenderHuntingQueryClient(new FakeCredential(Tokens.Secret), Opts.For(server), log, () => Opts.Utc(2024, 3, 10));

            var e = Assert.Single(new LiveEvidenceSource(client, null, log)
                .GetDeviceEvents(new[] { Op("web01", 10) }, CompatibilityMode.AnalyticRule, Day, CancellationToken.None));

            Assert.Equal(Opts.Utc(2024, 3, 1, 10, 0, 5).AddTicks(1234567), e.TimeGenerated);
            Assert.Equal("Get-Process", e.Command);
            Assert.Equal(4242, e.InitiatingProcessId);
            Assert.Contains("| where Timestamp >= ", server.Requests[0].JsonString("Query"));
            Assert.Empty(log.Rejected);
        }

        [Fact]
        public void RunSeedQuery_WhenAnalyticRule_ShouldSendTheSeedVerbatimOverTheWholeWindow()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.LaTable(
                new[] { new Wire.Column("ScriptFingerprintHash", "string"), new Wire.Column("Prevalence", "real") },
                new[] { new object?[] { "abc", 50.0 } })));
            var (source, _) = Source(server, new LiveHuntOptions { Chunking = new ChunkedQueryOptions { ChunkSize = TimeSpan.FromHours(1) } });

            var result = source.RunSeedQuery(CompatibilityMode.AnalyticRule, Day, CancellationToken.None);

            var r = Assert.Single(server.Requests);
            Assert.Equal(SeedQueries.AnalyticRule, r.JsonString("query"));
            Assert.Equal(Day.ToIsoInterval(), r.JsonString("timespan"));
            Assert.Equal(new[] { "ScriptFingerprintHash", "Prevalence" }, result.ColumnNames);
            Assert.Equal(new string?[] { "abc", "50" }, result.Rows[0]);
        }

        [Fact]
        public void RunSeedQuery_WhenModeIsNone_ShouldRefuse()
        {
            using var server = new FakeHttpServer(r => Empty("DeviceEvents"));
            var (source, _) = Source(server);
            Assert.Throws<ArgumentException>(() => source.RunSeedQuery(CompatibilityMode.None, Day, CancellationToken.None));
        }
    }
}
