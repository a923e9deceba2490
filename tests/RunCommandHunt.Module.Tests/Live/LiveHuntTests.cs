using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Module.Tests.Live
{
    /// <summary>
    /// The live parameter sets end to end: the cmdlets query a fake Log Analytics workspace (and Defender XDR through a
    /// fake Graph) holding the bundled samples, and must return what the offline hunt over the same rows returns.
    /// </summary>
    public sealed class LiveHuntTests : IDisposable
    {
        private const string Token = "la-token-for-live-hunt-tests";
        private const string GraphToken = "graph-token-for-live-hunt-tests";

        private readonly LiveHost _host = new LiveHost();
        private readonly FakeHuntService _la = new FakeHuntService(FakeHuntService.Api.LogAnalytics, SampleTable.LoadSamples(), Token);

        public void Dispose()
        {
            _la.Dispose();
            _host.Dispose();
        }

        [Theory]
        [InlineData("None")]
        [InlineData("HuntingQuery")]
        [InlineData("AnalyticRule")]
        public void LogAnalyticsHunt_WhenPipedToFindUnique_ShouldEqualTheOfflineHunt(string mode)
        {
            var expected = Hunts.Offline(_host, mode, TimeSpan.Zero);

            var live = Hunts.Run(_host, Hunts.LiveScript, Hunts.LiveVariables(_la, Token, mode), TimeSpan.Zero);

            Assert.Equal(expected.Executions, live.Executions);
            Assert.Equal(expected.Uniques, live.Uniques);
        }

        [Fact]
        public void LogAnalyticsHunt_WhenQuerying_ShouldPostEachTableQueryWithTheBearerToken()
        {
            Hunts.Run(_host, Hunts.LiveScript, Hunts.LiveVariables(_la, Token, "None"), TimeSpan.Zero);

            var requests = _la.Requests;
            Assert.Equal(new[] { "AzureActivity", "DeviceEvents", "DeviceFileEvents" }, requests.Select(_la.TableOf).Distinct().OrderBy(t => t));
            Assert.All(requests, r =>
            {
                Assert.Equal("POST", r.Method);
                Assert.Equal($"/v1/workspaces/{_la.WorkspaceId:D}/query", r.Path);
                Assert.Equal("Bearer " + Token, r.Header("Authorization"));
                Assert.StartsWith("application/json", r.Header("Content-Type"));
                Assert.Equal(new[] { "query", "timespan" }, r.Json.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
                var (start, end) = _la.WindowOf(r);
                Assert.True(start >= Hunts.Start && end <= Hunts.End.AddHours(3), $"timespan {start:o}/{end:o} is outside the hunt");
            });
            // AzureActivity is asked for the whole hunt range, exactly.
            var activity = requests.Single(r => _la.TableOf(r) == "AzureActivity");
            Assert.Equal((Hunts.Start, Hunts.End), _la.WindowOf(activity));
        }

        [Theory]
        [InlineData("None")]
        [InlineData("HuntingQuery")]
        [InlineData("AnalyticRule")]
        public void DefenderHunt_WhenDeviceTablesComeFromGraph_ShouldGiveTheSameExecutions(string mode)
        {
            // Advanced hunting holds 30 days: the samples move, whole days at a time, to three days ago.
            var shift = DateTime.UtcNow.Date.AddDays(-3) - SampleTable.SampleDay;
            var tables = SampleTable.LoadSamples().Select(t => t.Shifted(shift)).ToList();
            using var la = new FakeHuntService(FakeHuntService.Api.LogAnalytics, tables.Where(t => t.Name == "AzureActivity"), Token);
            using var graph = new FakeHuntService(FakeHuntService.Api.DefenderXdr, tables.Where(t => t.Name != "AzureActivity"), GraphToken);
            var expected = Hunts.Offline(_host, mode, shift);

            var variables = Hunts.LiveVariables(la, Token, mode, Hunts.Start + shift, Hunts.End + shift);
            variables["graph"] = graph.Endpoint;
            variables["graphToken"] = GraphToken;
            var live = Hunts.Run(_host,
                "Get-RunCommandOperation -WorkspaceId $ws -Endpoint $la -AccessToken $token -StartTime $start -EndTime $end -Compatibility $mode | " +
                "Get-RunCommandScriptExecution -Source DefenderXdr -Endpoint $graph -AccessToken $graphToken -StartTime $start -EndTime $end -Compatibility $mode | " +
                "Tee-Object -Variable xs | Find-UniqueRunCommandScript -Compatibility $mode",
                variables, TimeSpan.Zero);

            Assert.Equal(expected.Executions, live.Executions);
            Assert.Equal(expected.Uniques, live.Uniques);
            Assert.All(la.Requests, r => Assert.Equal("AzureActivity", la.TableOf(r)));
            Assert.NotEmpty(graph.Requests);
            Assert.All(graph.Requests, r =>
            {
                Assert.Equal("POST", r.Method);
                Assert.Equal(FakeHuntService.GraphPath, r.Path);
                Assert.Equal("Bearer " + GraphToken, r.Header("Authorization"));
                Assert.Equal(new[] { "Query", "Timespan" }, r.Json.EnumerateObject().Select(p => p.Name).OrderBy(n => n, StringComparer.Ordinal));
                Assert.Contains(graph.TableOf(r), new[] { "DeviceFileEvents", "DeviceEvents" });
            });
        }

        [Fact]
        public void DefenderHunt_WhenTheRangeStartsBeforeThe30DayReach_ShouldStopWithoutQueryingGraph()
        {
            using var graph = new FakeHuntService(FakeHuntService.Api.DefenderXdr, SampleTable.LoadSamples(), GraphToken);

            // The samples (2025-06-02) are older than 30 days, so advanced hunting would silently hold none of them.
            var r = _host.RunCatching(
                "Get-RunCommandOperation -Path $d | Get-RunCommandScriptExecution -Source DefenderXdr -Endpoint $graph -AccessToken $graphToken -StartTime $start -EndTime $end",
                new Dictionary<string, object?> { ["d"] = ModuleHost.Samples, ["graph"] = graph.Endpoint, ["graphToken"] = GraphToken, ["start"] = Hunts.Start, ["end"] = Hunts.End });

            Assert.NotNull(r.Caught);
            Assert.StartsWith("LiveQueryOutOfRange,", r.Caught!.FullyQualifiedErrorId);
            Assert.Contains("30 days", r.Caught.Exception.Message);
            Assert.Empty(r.Output);
            Assert.Empty(graph.Requests);
        }

        [Fact]
        public void LiveHunt_WhenRunning_ShouldWriteProgress()
        {
            var live = Hunts.Run(_host, Hunts.LiveScript, Hunts.LiveVariables(_la, Token, "None"), TimeSpan.Zero);

            var progress = live.Result.Progress;
            Assert.NotEmpty(progress);
            Assert.Contains(progress, p => p.Activity.Contains("AzureActivity", StringComparison.Ordinal));
            Assert.Contains(progress, p => p.Activity.Contains("DeviceEvents", StringComparison.Ordinal));
            Assert.Contains(progress, p => p.RecordType == ProgressRecordType.Completed);
        }
    }
}
