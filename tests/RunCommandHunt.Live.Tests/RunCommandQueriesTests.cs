using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using RunCommandHunt.Engine.Kql;
using RunCommandHunt.Engine.Sources;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Live.Tests
{
    public class RunCommandQueriesTests
    {
        private static readonly QueryWindow Day = new QueryWindow(Opts.Utc(2024, 3, 1), Opts.Utc(2024, 3, 2));

        [Fact]
        public void AzureActivity_WhenBuilt_ShouldFilterTheExactWindowAndEveryRunCommandOperationInAnyCase()
        {
            var q = AzureActivityQuery(Day);

            Assert.Contains("| where TimeGenerated >= datetime(2024-03-01T00:00:00.0000000Z) and TimeGenerated < datetime(2024-03-02T00:00:00.0000000Z)", q);
            var ops = Literals(q).ToList();
            Assert.Contains("Microsoft.Compute/virtualMachines/runCommand/action", ops);
            Assert.Contains("Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommand/action", ops);
            Assert.Contains("Microsoft.Compute/virtualMachines/runCommands/write", ops);
            Assert.Contains("Microsoft.HybridCompute/machines/runCommands/write", ops);
            Assert.Contains("| where OperationNameValue in~ (", q);
            // No status or Authorization filter: every mode groups all events of a CorrelationId itself.
            Assert.DoesNotContain("ActivityStatusValue ==", q);
            Assert.DoesNotContain("has", KqlLexer.CodeOnly(q));
            Assert.Contains("| project TimeGenerated, OperationNameValue, ActivityStatusValue, Authorization, Caller, CallerIpAddress, CorrelationId", q);
        }

        private static string AzureActivityQuery(QueryWindow w) => RunCommandQueries.AzureActivity(w);

        [Fact]
        public void DeviceFileEvents_WhenMachineNameIsHostile_ShouldKeepItInsideLiterals()
        {
            var hostile = "vm\" or 1==1 | take 100000 // x";
            var devices = new[] { new DeviceWindow(hostile, new QueryWindow(Opts.Utc(2024, 3, 1, 10), Opts.Utc(2024, 3, 1, 11))) };

            var q = RunCommandQueries.DeviceFileEvents(LiveSourceKind.LogAnalytics, devices, Day)!;

            var lits = Literals(q).ToList();
            Assert.Contains(hostile, lits);
            Assert.Contains(hostile + ".", lits);
            Assert.DoesNotContain(KqlLexer.Tokenize(q), s => s.Kind == KqlLexer.Kind.Comment);
            Assert.Equal(4, KqlLexer.CodeOnly(q).Count(c => c == '|'));
        }

        [Fact]
        public void DeviceFileEvents_WhenSeveralMachines_ShouldAskForEachInItsOwnWindowInOneQuery()
        {
            var devices = DeviceWindow.Merge(new[]
            {
                new DeviceWindow("web01", new QueryWindow(Opts.Utc(2024, 3, 1, 10), Opts.Utc(2024, 3, 1, 11))),
                new DeviceWindow("WEB01", new QueryWindow(Opts.Utc(2024, 3, 1, 10, 30), Opts.Utc(2024, 3, 1, 12))),
                new DeviceWindow("db01", new QueryWindow(Opts.Utc(2024, 3, 1, 15), Opts.Utc(2024, 3, 1, 16))),
            });

            var q = RunCommandQueries.DeviceFileEvents(LiveSourceKind.LogAnalytics, devices, Day)!;

            Assert.Equal(2, devices.Count);
            Assert.Contains("(DeviceName =~ \"web01\" or DeviceName startswith \"web01.\") and ((TimeGenerated >= datetime(2024-03-01T10:00:00.0000000Z) and TimeGenerated < datetime(2024-03-01T12:00:00.0000000Z)))", q);
            Assert.Contains("(DeviceName =~ \"db01\" or DeviceName startswith \"db01.\") and ((TimeGenerated >= datetime(2024-03-01T15:00:00.0000000Z)", q);
            Assert.Contains("InitiatingProcessFileName =~ \"RunCommandExtension.exe\"", q);
            Assert.StartsWith("DeviceFileEvents\n| where TimeGenerated >= datetime(2024-03-01T00:00:00.0000000Z) and TimeGenerated < datetime(2024-03-02T00:00:00.0000000Z)\n", q);
        }

        [Fact]
        public void DeviceFileEvents_WhenAMachineWindowOnlyPartlyOverlapsTheChunk_ShouldCutItToTheChunk()
        {
            var devices = new[] { new DeviceWindow("vm1", new QueryWindow(Opts.Utc(2024, 3, 1, 23), Opts.Utc(2024, 3, 2, 1))) };

            var q = RunCommandQueries.DeviceFileEvents(LiveSourceKind.LogAnalytics, devices, Day)!;

            Assert.Contains("(TimeGenerated >= datetime(2024-03-01T23:00:00.0000000Z) and TimeGenerated < datetime(2024-03-02T00:00:00.0000000Z))", q);
        }

        [Fact]
        public void DeviceFileEvents_WhenNoMachineWindowMeetsTheChunk_ShouldNeedNoQuery()
        {
            var devices = new[] { new DeviceWindow("vm1", new QueryWindow(Opts.Utc(2024, 3, 5), Opts.Utc(2024, 3, 6))) };
            Assert.Null(RunCommandQueries.DeviceFileEvents(LiveSourceKind.LogAnalytics, devices, Day));
        }

        [Fact]
        public void DeviceEvents_WhenAllDevices_ShouldFilterOnlyFileAndTime()
        {
            var q = RunCommandQueries.DeviceEvents(LiveSourceKind.LogAnalytics, null, Day)!;

            Assert.Equal(
                "DeviceEvents\n" +
                "| where TimeGenerated >= datetime(2024-03-01T00:00:00.0000000Z) and TimeGenerated < datetime(2024-03-02T00:00:00.0000000Z)\n" +
                "| where InitiatingProcessCommandLine has \"-File\"\n" +
                "| project TimeGenerated, DeviceId, DeviceName, ActionType, InitiatingProcessCommandLine, InitiatingProcessId, InitiatingProcessFileName, FileName, FolderPath, SHA256, AdditionalFields",
                q);
            Assert.DoesNotContain("DeviceName =~", q);
        }

        [Fact]
        public void DeviceEvents_WhenDevicesGiven_ShouldRestrictToThem()
        {
            var devices = new[] { new DeviceWindow("vm1", new QueryWindow(Opts.Utc(2024, 3, 1, 10), Opts.Utc(2024, 3, 1, 12))) };
            var q = RunCommandQueries.DeviceEvents(LiveSourceKind.LogAnalytics, devices, Day)!;
            Assert.Contains("has \"-File\"", q);
            Assert.Contains("DeviceName =~ \"vm1\"", q);
        }

        [Fact]
        public void DeviceQueries_WhenDefenderXdr_ShouldUseTimestamp()
        {
            var devices = new[] { new DeviceWindow("vm1", new QueryWindow(Opts.Utc(2024, 3, 1, 10), Opts.Utc(2024, 3, 1, 12))) };
            var files = RunCommandQueries.DeviceFileEvents(LiveSourceKind.DefenderXdr, devices, Day)!;
            var events = RunCommandQueries.DeviceEvents(LiveSourceKind.DefenderXdr, null, Day)!;

            Assert.DoesNotContain("TimeGenerated", files);
            Assert.DoesNotContain("TimeGenerated", events);
            Assert.Contains("| where Timestamp >= datetime(2024-03-01T00:00:00.0000000Z) and Timestamp < datetime(2024-03-02T00:00:00.0000000Z)", events);
            Assert.Contains("| project Timestamp, DeviceId", files);
        }

        [Fact]
        public void Merge_WhenWindowsTouch_ShouldJoinThemPerMachineIgnoringCase()
        {
            var merged = DeviceWindow.Merge(new[]
            {
                new DeviceWindow("A", new QueryWindow(Opts.Utc(2024, 3, 1, 1), Opts.Utc(2024, 3, 1, 2))),
                new DeviceWindow("a", new QueryWindow(Opts.Utc(2024, 3, 1, 2), Opts.Utc(2024, 3, 1, 3))),
                new DeviceWindow("a", new QueryWindow(Opts.Utc(2024, 3, 1, 5), Opts.Utc(2024, 3, 1, 6))),
                new DeviceWindow("", new QueryWindow(Opts.Utc(2024, 3, 1, 5), Opts.Utc(2024, 3, 1, 6))),
            });

            Assert.Equal(2, merged.Count);
            Assert.Equal(new QueryWindow(Opts.Utc(2024, 3, 1, 1), Opts.Utc(2024, 3, 1, 3)), merged[0].Window);
            Assert.Equal(new QueryWindow(Opts.Utc(2024, 3, 1, 5), Opts.Utc(2024, 3, 1, 6)), merged[1].Window);
        }

        private static System.Collections.Generic.IEnumerable<string> Literals(string q) =>
            KqlLexer.Tokenize(q).Where(s => s.Kind == KqlLexer.Kind.Literal).Select(s => s.Value!);
    }

    public class SeedQueriesTests
    {
        private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "seeds", name));

        [Fact]
        public void HuntingQuery_WhenComparedToSeed000_ShouldBeTheKqlSectionVerbatim()
        {
            var text = Fixture("000_90665eed596f4e99.txt");
            int start = text.IndexOf("KQL Query\n\n", StringComparison.Ordinal) + "KQL Query\n\n".Length;
            int end = text.IndexOf("\n\nAnalytic Rule Definition", StringComparison.Ordinal);

            Assert.Equal(SeedQueries.HuntingQuery, text.Substring(start, end - start));
            Assert.Contains("| order by TimeGenerated asc \n", SeedQueries.HuntingQuery);
        }

        [Fact]
        public void AnalyticRule_WhenComparedToSeed003_ShouldBeTheArmQueryStringDecoded()
        {
            var text = Fixture("003_774431bb63352c38.txt");
            var m = Regex.Match(text, "\"query\": (\"(?:[^\"\\\\]|\\\\.)*\")");
            Assert.True(m.Success);
            var arm = JsonSerializer.Deserialize<string>(m.Groups[1].Value);

            Assert.Equal(SeedQueries.AnalyticRule, arm);
            Assert.Contains("DeviceFileEvents\n", SeedQueries.AnalyticRule);
            Assert.Contains("hashTotals\n) on ScriptFingerprintHash", SeedQueries.AnalyticRule);
        }

        [Fact]
        public void For_WhenModeIsNone_ShouldHaveNoSeed()
        {
            Assert.Null(SeedQueries.For(CompatibilityMode.None));
            Assert.Same(SeedQueries.AnalyticRule, SeedQueries.For(CompatibilityMode.AnalyticRule));
        }
    }
}
