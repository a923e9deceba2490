using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using RunCommandHunt.Engine.Kql;
using RunCommandHunt.Engine.Sources;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Live.Tests
{
    /// <summary>
    /// An in-memory service over a set of event times: answers a window with the events in it, truncated at its row
    /// limit like Log Analytics, optionally with a PartialError or a timeout for long windows. It also checks that the
    /// query's own time filter names exactly the request's window.
    /// </summary>
    internal sealed class EventService : ILogsQueryClient
    {
        private readonly DateTime[] _events;
        public readonly List<QueryWindow> Asked = new List<QueryWindow>();
        public int Limit = int.MaxValue;
        public TimeSpan? PartialAbove;
        public TimeSpan? TimeoutAbove;

        public EventService(IEnumerable<DateTime> events) { _events = events.OrderBy(e => e).ToArray(); }

        public LiveSourceKind Kind => LiveSourceKind.LogAnalytics;
        public string Target => "test service";
        public int ServiceRowLimit => Limit;
        public void ValidateWindow(QueryWindow window) { }

        public LiveQueryResult Query(string query, QueryWindow window, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Asked.Add(window);
            Assert.Equal(RunCommandQueries.TimeFilter("TimeGenerated", window), Regex.Match(query, "TimeGenerated >= .*").Value);
            if (TimeoutAbove.HasValue && window.Duration > TimeoutAbove.Value)
                throw new LiveQueryException(LiveQueryFailure.Timeout, Target, "slow", window, 504);
            var rows = _events.Where(window.Contains).Take(Limit)
                .Select(e => new string?[] { e.ToString("o", CultureInfo.InvariantCulture) }).ToList();
            var partial = PartialAbove.HasValue && window.Duration > PartialAbove.Value
                ? new LiveServiceError("PartialError", "Query result set has exceeded the internal data size limit 64 MB")
                : null;
            if (partial != null && rows.Count > 0) rows.RemoveAt(rows.Count - 1); // partial: some rows are missing
            return new LiveQueryResult(window, query, "PrimaryResult", new[] { new LiveColumn("TimeGenerated", "datetime") }, rows, partial, null, 0);
        }

        public static string Query(QueryWindow w) => "T\n| where " + RunCommandQueries.TimeFilter("TimeGenerated", w);
    }

    public class ChunkedQueryRunnerTests
    {
        private static readonly QueryWindow Day = new QueryWindow(Opts.Utc(2024, 3, 1), Opts.Utc(2024, 3, 2));

        private static List<DateTime> Times(IEnumerable<LiveQueryResult> results) =>
            results.SelectMany(r => r.Rows).Select(r => Opts.ParseIso(r[0]!)).ToList();

        [Fact]
        public void Run_WhenChunksHitTheRowLimit_ShouldSplitUntilEveryEventComesBackExactlyOnce()
        {
            var events = Enumerable.Range(0, 40).Select(i => Day.Start.AddMinutes(17 * i + 3)).ToList();
            events.Add(Day.Start);                      // on the first boundary
            events.Add(Day.Start.AddHours(12));         // on a split boundary
            events.Add(Day.End.AddTicks(-1));           // last instant in range
            var service = new EventService(events.Concat(new[] { Day.End, Day.Start.AddTicks(-1) })) { Limit = 5 };
            var runner = new ChunkedQueryRunner(service, new ChunkedQueryOptions { ChunkSize = TimeSpan.FromHours(6), MinimumWindow = TimeSpan.FromSeconds(1) });

            var got = Times(runner.Run("t", Day, EventService.Query, CancellationToken.None));

            Assert.Equal(events.OrderBy(e => e), got);
            Assert.True(service.Asked.Count > 4);
        }

        [Fact]
        public void Run_WhenAnyEventsAndChunking_ShouldReturnEachEventOnceInTimeOrder()
        {
            Gen.Select(Gen.Long[0, TimeSpan.TicksPerDay - 1].HashSet[0, 60], Gen.Int[1, 48], Gen.Int[2, 8])
                .Sample((ticks, chunkHours, limit) =>
                {
                    var events = ticks.Select(t => Day.Start.AddTicks(t)).ToList();
                    var service = new EventService(events) { Limit = limit };
                    var runner = new ChunkedQueryRunner(service, new ChunkedQueryOptions
                    {
                        ChunkSize = TimeSpan.FromHours(chunkHours),
                        MinimumWindow = TimeSpan.FromTicks(1),
                    });
                    var got = Times(runner.Run("t", Day, EventService.Query, CancellationToken.None));
                    return got.SequenceEqual(events.OrderBy(e => e));
                }, iter: 300);
        }

        [Fact]
        public void Run_WhenTheServiceSaysPartialError_ShouldNeverReturnThoseRowsAndSplit()
        {
            var events = Enumerable.Range(0, 24).Select(i => Day.Start.AddHours(i).AddMinutes(30)).ToList();
            var service = new EventService(events) { PartialAbove = TimeSpan.FromHours(6) };
            var runner = new ChunkedQueryRunner(service, new ChunkedQueryOptions { MinimumWindow = TimeSpan.FromMinutes(1) });

            var results = runner.Run("t", Day, EventService.Query, CancellationToken.None).ToList();

            Assert.All(results, r => Assert.True(r.IsComplete));
            Assert.All(results, r => Assert.True(r.Window.Duration <= TimeSpan.FromHours(6)));
            Assert.Equal(events, Times(results));
        }

        [Fact]
        public void Run_WhenStillIncompleteAtTheMinimumWindow_ShouldStopNamingThatWindow()
        {
            var service = new EventService(new[] { Day.Start.AddHours(1) }) { PartialAbove = TimeSpan.Zero };
            var runner = new ChunkedQueryRunner(service, new ChunkedQueryOptions { MinimumWindow = TimeSpan.FromHours(6) });

            var ex = Assert.Throws<LiveQueryException>(() => runner.Run("t", Day, EventService.Query, CancellationToken.None).ToList());

            Assert.Equal(LiveQueryFailure.PartialResult, ex.Reason);
            Assert.Equal(new QueryWindow(Day.Start, Day.Start.AddHours(6)), ex.Window);
            Assert.Contains("[2024-03-01T00:00:00.0000000Z, 2024-03-01T06:00:00.0000000Z)", ex.Message);
            Assert.Contains("PartialError", ex.Message);
            Assert.Equal(new[] { 24.0, 12.0, 6.0 }, service.Asked.Select(w => w.Duration.TotalHours));
        }

        [Fact]
        public void Run_WhenTheRowLimitIsHitOverOneInstant_ShouldStopWithLimitExceeded()
        {
            var same = Day.Start.AddHours(3);
            var service = new EventService(Enumerable.Repeat(same, 4)) { Limit = 3 };
            var runner = new ChunkedQueryRunner(service, new ChunkedQueryOptions { MinimumWindow = TimeSpan.FromTicks(1) });

            var ex = Assert.Throws<LiveQueryException>(() => runner.Run("t", Day, EventService.Query, CancellationToken.None).ToList());

            Assert.Equal(LiveQueryFailure.LimitExceeded, ex.Reason);
            Assert.Equal(same, ex.Window!.Value.Start);
            Assert.Equal(1, ex.Window.Value.Duration.Ticks);
        }

        [Fact]
        public void Run_WhenLongWindowsTimeOut_ShouldSplitThem()
        {
            var events = new[] { Day.Start.AddHours(2), Day.Start.AddHours(20) };
            var service = new EventService(events) { TimeoutAbove = TimeSpan.FromHours(12) };
            var runner = new ChunkedQueryRunner(service, new ChunkedQueryOptions { MinimumWindow = TimeSpan.FromHours(1) });

            Assert.Equal(events, Times(runner.Run("t", Day, EventService.Query, CancellationToken.None)));
            Assert.Equal(new[] { 24.0, 12.0, 12.0 }, service.Asked.Select(w => w.Duration.TotalHours));
        }

        [Fact]
        public void Run_WhenMaxRowsIsSet_ShouldSplitWindowsWithMoreRows()
        {
            var events = Enumerable.Range(0, 10).Select(i => Day.Start.AddHours(2 * i + 1)).ToList();
            var service = new EventService(events);
            var runner = new ChunkedQueryRunner(service, new ChunkedQueryOptions { MaxRows = 3 });

            var results = runner.Run("t", Day, EventService.Query, CancellationToken.None).ToList();

            Assert.All(results, r => Assert.True(r.Rows.Count <= 3));
            Assert.Equal(events, Times(results));
        }

        [Fact]
        public void Run_WhenTheBuilderNeedsNoQueryForAWindow_ShouldSkipItWithoutARequest()
        {
            var service = new EventService(new[] { Day.Start.AddHours(1) });
            var runner = new ChunkedQueryRunner(service, new ChunkedQueryOptions { ChunkSize = TimeSpan.FromHours(6) });

            var got = Times(runner.Run("t", Day, w => w.Start == Day.Start ? EventService.Query(w) : null, CancellationToken.None));

            Assert.Single(got);
            Assert.Single(service.Asked);
        }

        [Fact]
        public void Run_WhenRunning_ShouldReportProgressAndEachQuery()
        {
            var service = new EventService(new[] { Day.Start.AddHours(1), Day.Start.AddHours(13) });
            var log = new CapturingLog();
            var runner = new ChunkedQueryRunner(service, new ChunkedQueryOptions { ChunkSize = TimeSpan.FromHours(12) }, log);

            runner.Run("AzureActivity", Day, EventService.Query, CancellationToken.None).ToList();

            var progress = log.ProgressRecords.ToList();
            Assert.Contains(progress, p => p.Activity == "AzureActivity" && p.Status.Contains("2 windows left") && p.Percent == 0);
            Assert.Contains(progress, p => p.Status.Contains("1 rows so far, 1 windows left") && p.Percent == 50);
            Assert.Equal(100, progress.Last().Percent);
            Assert.Equal(2, log.Verbose_.Count(v => v.Contains("T\n| where TimeGenerated >=")));
        }

        [Fact]
        public void Run_WhenCancelledBetweenChunks_ShouldStop()
        {
            var service = new EventService(new[] { Day.Start.AddHours(1), Day.Start.AddHours(13) });
            var runner = new ChunkedQueryRunner(service, new ChunkedQueryOptions { ChunkSize = TimeSpan.FromHours(12) });
            using var cts = new CancellationTokenSource();

            using var e = runner.Run("t", Day, EventService.Query, cts.Token).GetEnumerator();
            Assert.True(e.MoveNext());
            cts.Cancel();

            Assert.ThrowsAny<OperationCanceledException>(() => e.MoveNext());
            Assert.Single(service.Asked);
        }

        [Fact]
        public void Run_WhenTheClientRefusesTheRange_ShouldFailBeforeEnumerating()
        {
            var client = new DefenderHuntingQueryClient(new FakeCredential(Tokens.Secret), null, null, () => Opts.Utc(2024, 6, 1));
            var runner = new ChunkedQueryRunner(client);

            var ex = Assert.Throws<LiveQueryException>(() => runner.Run("t", Day, EventService.Query, CancellationToken.None));
            Assert.Equal(LiveQueryFailure.OutOfRange, ex.Reason);
        }

        [Fact]
        public void RunWhole_WhenPartial_ShouldRefuseRatherThanSplit()
        {
            var service = new EventService(new[] { Day.Start.AddHours(1), Day.Start.AddHours(2) }) { PartialAbove = TimeSpan.FromHours(1) };
            var runner = new ChunkedQueryRunner(service);

            var ex = Assert.Throws<LiveQueryException>(() => runner.RunWhole("seed", Day, EventService.Query(Day), CancellationToken.None));

            Assert.Equal(LiveQueryFailure.PartialResult, ex.Reason);
            Assert.Single(service.Asked);
            Assert.Contains("cannot be split", ex.Message);
        }

        [Fact]
        public void RunWhole_WhenAtTheRowLimit_ShouldRefuse()
        {
            var service = new EventService(new[] { Day.Start.AddHours(1), Day.Start.AddHours(2) }) { Limit = 2 };
            var ex = Assert.Throws<LiveQueryException>(() =>
                new ChunkedQueryRunner(service).RunWhole("seed", Day, EventService.Query(Day), CancellationToken.None));
            Assert.Equal(LiveQueryFailure.LimitExceeded, ex.Reason);
        }
    }

    /// <summary>The runner against the fake HTTP server: timespan and query agree, splitting happens over the wire.</summary>
    public class ChunkedQueryOverHttpTests
    {
        private static readonly QueryWindow Day = new QueryWindow(Opts.Utc(2024, 3, 1), Opts.Utc(2024, 3, 2));
        private static readonly Regex Bounds = new Regex(@"TimeGenerated >= datetime\((?<s>[^)]+)\) and TimeGenerated < datetime\((?<e>[^)]+)\)");

        private static (DateTime Start, DateTime End) Check(RecordedRequest r)
        {
            var span = r.JsonString("timespan").Split('/');
            var m = Bounds.Match(r.JsonString("query"));
            Assert.True(m.Success);
            // The request's timespan and the query's own filter name the same two instants.
            Assert.Equal(span[0], m.Groups["s"].Value);
            Assert.Equal(span[1], m.Groups["e"].Value);
            return (Opts.ParseIso(span[0]), Opts.ParseIso(span[1]));
        }

        [Fact]
        public void Run_WhenRowLimitForcesSplitsOverHttp_ShouldReturnEveryRowOnceWithAgreeingBounds()
        {
            var events = Enumerable.Range(0, 30).Select(i => Day.Start.AddMinutes(47 * i)).ToList();
            using var server = new FakeHttpServer(r =>
            {
                var (s, e) = Check(r);
                var rows = events.Where(t => t >= s && t < e).Select(t => new object?[] { t.ToString("o", CultureInfo.InvariantCulture) });
                return FakeResponse.Json(200, Wire.LaTable(new[] { new Wire.Column("TimeGenerated", "datetime") }, rows));
            });
            var client = new LogAnalyticsQueryClient(Opts.Workspace, new FakeCredential(Tokens.Secret), Opts.For(server));
            var runner = new ChunkedQueryRunner(client, new ChunkedQueryOptions { ChunkSize = TimeSpan.FromHours(8), RowLimit = 4 });

            var got = runner.Run("t", Day, EventService.Query, CancellationToken.None).SelectMany(x => x.Rows).Select(x => Opts.ParseIso(x[0]!)).ToList();

            Assert.Equal(events, got);
        }

        [Fact]
        public void Run_WhenTheServerIsSlowForLongWindows_ShouldSplitAfterTheClientTimeout()
        {
            using var server = new FakeHttpServer(async (r, ct) =>
            {
                var (s, e) = Check(r);
                if (e - s > TimeSpan.FromHours(12)) await Task.Delay(TimeSpan.FromSeconds(10), ct);
                return FakeResponse.Json(200, Wire.LaTable(new[] { new Wire.Column("TimeGenerated", "datetime") },
                    new[] { new object?[] { s.ToString("o", CultureInfo.InvariantCulture) } }));
            });
            var client = new LogAnalyticsQueryClient(Opts.Workspace, new FakeCredential(Tokens.Secret),
                Opts.For(server, retries: 0, networkTimeoutSeconds: 1));
            var log = new CapturingLog();
            var runner = new ChunkedQueryRunner(client, new ChunkedQueryOptions { MinimumWindow = TimeSpan.FromHours(1) }, log);

            var windows = runner.Run("t", Day, EventService.Query, CancellationToken.None).Select(x => x.Window).ToList();

            Assert.Equal(new[] { new QueryWindow(Day.Start, Day.Start.AddHours(12)), new QueryWindow(Day.Start.AddHours(12), Day.End) }, windows);
            Assert.Contains(log.Verbose_, v => v.Contains("asking again in halves"));
        }

        [Fact]
        public void Run_WhenPartialErrorOverHttp_ShouldNotReturnThePartialRows()
        {
            using var server = new FakeHttpServer(r =>
            {
                var (s, e) = Check(r);
                var columns = new[] { new Wire.Column("TimeGenerated", "datetime"), new Wire.Column("Tag", "string") };
                if (e - s > TimeSpan.FromHours(12))
                    return FakeResponse.Json(200, Wire.LaTable(columns, new[] { new object?[] { s.ToString("o"), "partial" } },
                        "PartialError", "There were some errors when processing your query."));
                return FakeResponse.Json(200, Wire.LaTable(columns, new[] { new object?[] { s.ToString("o"), "whole" } }));
            });
            var client = new LogAnalyticsQueryClient(Opts.Workspace, new FakeCredential(Tokens.Secret), Opts.For(server));

            var rows = new ChunkedQueryRunner(client).Run("t", Day, EventService.Query, CancellationToken.None).SelectMany(x => x.Rows).ToList();

            Assert.Equal(2, rows.Count);
            Assert.All(rows, r => Assert.Equal("whole", r[1]));
        }
    }
}
