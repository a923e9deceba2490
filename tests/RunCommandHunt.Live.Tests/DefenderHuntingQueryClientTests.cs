using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using RunCommandHunt.Engine.Sources;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Live.Tests
{
    public class DefenderHuntingQueryClientTests
    {
        private static readonly DateTime Now = Opts.Utc(2024, 3, 20);
        private static readonly QueryWindow Window = new QueryWindow(Opts.Utc(2024, 3, 1), Opts.Utc(2024, 3, 2));

        private static readonly Wire.Column[] Schema =
        {
            new Wire.Column("Timestamp", "DateTime"), new Wire.Column("DeviceName", "String"),
            new Wire.Column("FileSize", "Int64"), new Wire.Column("AdditionalFields", "String"),
        };

        private static DefenderHuntingQueryClient Client(FakeHttpServer server, FakeCredential credential, LiveClientOptions? options = null) =>
            new DefenderHuntingQueryClient(credential, options ?? Opts.For(server), null, () => Now);

        [Fact]
        public void Query_WhenGraphAnswers_ShouldSendRunHuntingQueryWithQueryAndTimespan()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.Graph(Schema, Array.Empty<Dictionary<string, object?>>())));
            var credential = new FakeCredential(Tokens.Secret);

            Client(server, credential).Query("DeviceEvents | take 1", Window, CancellationToken.None);

            var r = Assert.Single(server.Requests);
            Assert.Equal("POST", r.Method);
            Assert.Equal("/v1.0/security/runHuntingQuery", r.Path);
            Assert.Equal("Bearer " + Tokens.Secret, r.Header("Authorization"));
            Assert.Equal("DeviceEvents | take 1", r.JsonString("Query"));
            Assert.Equal("2024-03-01T00:00:00.0000000Z/2024-03-02T00:00:00.0000000Z", r.JsonString("Timespan"));
            Assert.Equal(new[] { "https://graph.microsoft.com/.default" }, credential.Scopes.Distinct().ToArray());
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Query_WhenResultsUseAnyCase_ShouldLineThemUpWithTheSchema(bool schemaFirst)
        {
            var results = new[]
            {
                new Dictionary<string, object?>
                {
                    ["deviceName"] = "web01.contoso.com", ["Timestamp"] = "2024-03-01T10:00:00.1234567Z", ["FileSize"] = 4096L,
                    ["AdditionalFields"] = "{\"Command\":\"Get-Process\"}",
                },
                // FileSize missing: null, not a shifted column.
                new Dictionary<string, object?> { ["Timestamp"] = "2024-03-01T11:00:00.0000000Z", ["DEVICENAME"] = "db01", ["AdditionalFields"] = null },
            };
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.Graph(Schema, results, schemaFirst)));

            var result = Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None);

            Assert.Equal(new[] { "Timestamp", "DeviceName", "FileSize", "AdditionalFields" }, result.ColumnNames);
            Assert.Equal(new string?[] { "2024-03-01T10:00:00.1234567Z", "web01.contoso.com", "4096", "{\"Command\":\"Get-Process\"}" }, result.Rows[0]);
            Assert.Equal(new string?[] { "2024-03-01T11:00:00.0000000Z", "db01", null, null }, result.Rows[1]);
        }

        [Fact]
        public void Query_WhenAResultHasAPropertyTheSchemaLacks_ShouldKeepItAsAColumn()
        {
            var results = new[] { new Dictionary<string, object?> { ["Timestamp"] = "2024-03-01T10:00:00Z", ["Extra"] = "kept" } };
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.Graph(Schema, results)));

            var result = Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None);

            Assert.Equal("Extra", result.ColumnNames.Last());
            Assert.Equal("kept", result.Rows[0].Last());
        }

        [Fact]
        public void Query_WhenTheWindowStartsMoreThan30DaysAgo_ShouldRefuseWithoutARequest()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.Graph(Schema, Array.Empty<Dictionary<string, object?>>())));
            var old = new QueryWindow(Now.AddDays(-31), Now.AddDays(-29));

            var ex = Assert.Throws<LiveQueryException>(() => Client(server, new FakeCredential(Tokens.Secret)).Query("x", old, CancellationToken.None));

            Assert.Equal(LiveQueryFailure.OutOfRange, ex.Reason);
            Assert.Contains("30 days", ex.Message);
            Assert.Equal(old, ex.Window);
            Assert.Empty(server.Requests);
        }

        [Fact]
        public void Query_WhenQuotaIsExhausted_ShouldRetryThenThrowThrottledWithHint()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(429,
                Wire.Error("TooManyRequests", "Query execution has been throttled"), ("Retry-After", "0")));

            var ex = Assert.Throws<LiveQueryException>(() =>
                Client(server, new FakeCredential(Tokens.Secret), Opts.For(server, retries: 2)).Query("x", Window, CancellationToken.None));

            Assert.Equal(LiveQueryFailure.Throttled, ex.Reason);
            Assert.Equal(429, ex.HttpStatus);
            Assert.Contains("quota", ex.Hint);
            Assert.Equal(3, server.Requests.Count);
        }

        [Fact]
        public void Query_When403_ShouldNameTheGraphPermission()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(403, Wire.Error("Forbidden", "Insufficient privileges")));

            var ex = Assert.Throws<LiveQueryException>(() => Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None));

            Assert.Equal(LiveQueryFailure.Forbidden, ex.Reason);
            Assert.Contains("ThreatHunting.Read.All", ex.Message);
        }

        [Fact]
        public void Query_WhenLimitsAreExceeded_ShouldReportASplittableLimit()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(400,
                Wire.Error("BadRequest", "Query execution has exceeded the allowed limits. The query used too many resources.")));

            var ex = Assert.Throws<LiveQueryException>(() => Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None));

            Assert.Equal(LiveQueryFailure.LimitExceeded, ex.Reason);
        }

        [Theory]
        [InlineData(AzureCloud.AzurePublic, "https://graph.microsoft.com", "https://api.loganalytics.io", "https://login.microsoftonline.com/")]
        [InlineData(AzureCloud.AzureUSGovernment, "https://graph.microsoft.us", "https://api.loganalytics.us", "https://login.microsoftonline.us/")]
        [InlineData(AzureCloud.AzureChina, "https://microsoftgraph.chinacloudapi.cn", "https://api.loganalytics.azure.cn", "https://login.chinacloudapi.cn/")]
        public void Endpoints_WhenCloudChosen_ShouldUseItsHosts(AzureCloud cloud, string graph, string logAnalytics, string authority)
        {
            var credential = new FakeCredential(Tokens.Secret);
            var d = new DefenderHuntingQueryClient(credential, new LiveClientOptions { Cloud = cloud });
            var la = new LogAnalyticsQueryClient(Opts.Workspace, credential, new LiveClientOptions { Cloud = cloud });

            Assert.Equal(graph + "/", d.Endpoint.AbsoluteUri);
            Assert.Equal(graph + "/.default", d.Scope);
            Assert.Equal(logAnalytics + "/", la.Endpoint.AbsoluteUri);
            Assert.Equal(logAnalytics + "/.default", la.Scope);
            Assert.Equal(authority, AzureCloudEndpoints.For(cloud).AuthorityHost.AbsoluteUri);
        }
    }
}
