using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RunCommandHunt.Engine.Sources;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Live.Tests
{
    public class LogAnalyticsQueryClientTests
    {
        private static readonly QueryWindow Window = new QueryWindow(Opts.Utc(2024, 3, 1), Opts.Utc(2024, 3, 2));

        private static readonly Wire.Column[] Columns =
        {
            new Wire.Column("TimeGenerated", "datetime"), new Wire.Column("DeviceName", "string"), new Wire.Column("FileSize", "long"),
            new Wire.Column("AdditionalFields", "dynamic"), new Wire.Column("Ratio", "real"), new Wire.Column("Flag", "bool"),
        };

        private static LogAnalyticsQueryClient Client(FakeHttpServer server, FakeCredential credential, CapturingLog? log = null, LiveClientOptions? options = null) =>
            new LogAnalyticsQueryClient(Opts.Workspace, credential, options ?? Opts.For(server), log);

        [Fact]
        public void Query_WhenServiceAnswers_ShouldSendTheDocumentedRequest()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.LaTable(Columns, Array.Empty<object?[]>())));
            var credential = new FakeCredential(Tokens.Secret);
            var options = Opts.For(server);
            options.ServerTimeout = TimeSpan.FromSeconds(200);

            Client(server, credential, options: options).Query("AzureActivity | take 1", Window, CancellationToken.None);

            var request = Assert.Single(server.Requests);
            Assert.Equal("POST", request.Method);
            Assert.Equal($"/v1/workspaces/{Opts.Workspace}/query", request.Path);
            Assert.Equal("Bearer " + Tokens.Secret, request.Header("Authorization"));
            Assert.Equal("wait=200,include-statistics=true", request.Header("Prefer"));
            Assert.StartsWith("application/json", request.Header("Content-Type"));
            Assert.Equal("AzureActivity | take 1", request.JsonString("query"));
            Assert.Equal("2024-03-01T00:00:00.0000000Z/2024-03-02T00:00:00.0000000Z", request.JsonString("timespan"));
            Assert.Equal(new[] { "https://api.loganalytics.io/.default" }, credential.Scopes.Distinct().ToArray());
        }

        [Fact]
        public void Query_WhenStatisticsAreOff_ShouldSendOnlyTheWait()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.LaTable(Columns, Array.Empty<object?[]>())));
            var options = Opts.For(server);
            options.IncludeStatistics = false;

            Client(server, new FakeCredential(Tokens.Secret), options: options).Query("x", Window, CancellationToken.None);

            Assert.Equal("wait=30", server.Requests[0].Header("Prefer"));
        }

        [Fact]
        public void Query_WhenCellsUseEveryEncoding_ShouldKeepTheirText()
        {
            var rows = new[]
            {
                new object?[] { "2024-03-01T10:00:00.44Z", "web01.contoso.com", 4096L, "{\"Command\":\"Get-Process\"}", 1.5, true },
                // The older wire format: numbers and booleans as strings.
                new object?[] { "2024-03-01T10:00:01Z", "db01", "123", "{}", "1.286", "false" },
                // A dynamic value sent as JSON rather than JSON text, and nulls.
                new object?[] { "2024-03-01T10:00:02.1234567Z", null, null, new RawJson("{\"Command\":\"Write-Output\",\"n\":[1,2]}"), null, null },
            };
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.LaTable(Columns, rows, statisticsJson: "{\"query\":{\"executionTime\":0.5}}")));
            var log = new CapturingLog();

            var result = Client(server, new FakeCredential(Tokens.Secret), log).Query("x", Window, CancellationToken.None);

            Assert.Equal(new[] { "TimeGenerated", "DeviceName", "FileSize", "AdditionalFields", "Ratio", "Flag" }, result.ColumnNames);
            Assert.Equal("dynamic", result.Columns[3].Type);
            Assert.Equal(new string?[] { "2024-03-01T10:00:00.44Z", "web01.contoso.com", "4096", "{\"Command\":\"Get-Process\"}", "1.5", "true" }, result.Rows[0]);
            Assert.Equal(new string?[] { "2024-03-01T10:00:01Z", "db01", "123", "{}", "1.286", "false" }, result.Rows[1]);
            Assert.Equal(new string?[] { "2024-03-01T10:00:02.1234567Z", null, null, "{\"Command\":\"Write-Output\",\"n\":[1,2]}", null, null }, result.Rows[2]);
            Assert.True(result.IsComplete);
            Assert.Equal("{\"query\":{\"executionTime\":0.5}}", result.Statistics);
        }

        [Fact]
        public void Query_WhenThrottledWithRetryAfter_ShouldWaitThatLongAndSucceed()
        {
            using var server = new FakeHttpServer(r => r.Index == 0
                ? FakeResponse.Json(429, Wire.Error("TooManyRequests", "slow down"), ("Retry-After", "1"))
                : FakeResponse.Json(200, Wire.LaTable(Columns, new[] { new object?[] { "2024-03-01T10:00:00Z", "a", 1L, "{}", 1.0, true } })));

            var result = Client(server, new FakeCredential(Tokens.Secret), options: Opts.For(server, maxRetryDelaySeconds: 5))
                .Query("x", Window, CancellationToken.None);

            Assert.Single(result.Rows);
            var requests = server.Requests;
            Assert.Equal(2, requests.Count);
            // The base delay is 10 ms: a gap of a second can only come from honouring Retry-After.
            var gap = TimeSpan.FromSeconds((requests[1].ReceivedAt - requests[0].ReceivedAt) / (double)Stopwatch.Frequency);
            Assert.True(gap >= TimeSpan.FromMilliseconds(900), $"retried after {gap.TotalMilliseconds} ms");
        }

        [Theory]
        [InlineData(503)]
        [InlineData(500)]
        [InlineData(502)]
        [InlineData(504)]
        [InlineData(408)]
        public void Query_WhenTransientStatusThenSuccess_ShouldRetry(int status)
        {
            using var server = new FakeHttpServer(r => r.Index == 0
                ? FakeResponse.Json(status, Wire.Error("ServiceUnavailable", "try again"))
                : FakeResponse.Json(200, Wire.LaTable(Columns, Array.Empty<object?[]>())));

            var result = Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None);

            Assert.True(result.IsComplete);
            Assert.Equal(2, server.Requests.Count);
        }

        [Fact]
        public void Query_WhenAnswerIsSlowerThanTheClientTimeout_ShouldRetryThenFailWithTimeout()
        {
            using var server = new FakeHttpServer(async (r, ct) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ct);
                return FakeResponse.Json(200, Wire.LaTable(Columns, Array.Empty<object?[]>()));
            });

            var ex = Assert.Throws<LiveQueryException>(() =>
                Client(server, new FakeCredential(Tokens.Secret), options: Opts.For(server, retries: 1, networkTimeoutSeconds: 0.5))
                    .Query("x", Window, CancellationToken.None));

            Assert.Equal(LiveQueryFailure.Timeout, ex.Reason);
            Assert.Equal(Window, ex.Window);
            // Counted by the client: the server may not have read a request the client already gave up on.
            Assert.Contains("client timeout of 0.5 s (2 of 2 tries)", ex.Message);
            Assert.NotEmpty(server.WaitForRequests(1));
        }

        [Fact]
        public void Query_When401_ShouldThrowUnauthorizedWithCodeAndHint()
        {
            using var server = new FakeHttpServer(r =>
                FakeResponse.Json(401, Wire.Error("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")));

            var ex = Assert.Throws<LiveQueryException>(() =>
                Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None));

            Assert.Equal(LiveQueryFailure.Unauthorized, ex.Reason);
            Assert.Equal(401, ex.HttpStatus);
            Assert.Equal("AuthenticationFailed", ex.ErrorCode);
            Assert.Contains("Authorization' header is missing", ex.Message);
            Assert.Contains("2024-03-01T00:00:00.0000000Z", ex.Message);
            Assert.NotNull(ex.Hint);
            Assert.Single(server.Requests); // 401 is not retried
        }

        [Fact]
        public void Query_When403InsufficientAccess_ShouldSayWhichRoleIsNeeded()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(403,
                Wire.Error("InsufficientAccessError", "The provided credentials have insufficient access to perform the requested operation")));

            var ex = Assert.Throws<LiveQueryException>(() =>
                Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None));

            Assert.Equal(LiveQueryFailure.Forbidden, ex.Reason);
            Assert.Equal(403, ex.HttpStatus);
            Assert.Equal("InsufficientAccessError", ex.ErrorCode);
            Assert.Contains("Log Analytics Reader", ex.Hint);
            Assert.Contains("Log Analytics Reader", ex.Message);
            Assert.Contains("Log Analytics workspace " + Opts.Workspace, ex.Message);
        }

        [Fact]
        public void Query_When403WrongAudience_ShouldNameTheResourceTheTokenMustBeFor()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(403,
                Wire.Error("InvalidAuthenticationTokenAudience", "The access token has been obtained from wrong audience or resource.")));

            var ex = Assert.Throws<LiveQueryException>(() =>
                Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None));

            Assert.Contains("https://api.loganalytics.io", ex.Hint);
        }

        [Fact]
        public void Query_When400SyntaxError_ShouldCarryTheInnerCode()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(400,
                Wire.Error("BadArgumentError", "The request had some invalid properties", "SyntaxError", "A recognition error occurred in the query.")));

            var ex = Assert.Throws<LiveQueryException>(() =>
                Client(server, new FakeCredential(Tokens.Secret)).Query("x |", Window, CancellationToken.None));

            Assert.Equal(LiveQueryFailure.BadQuery, ex.Reason);
            Assert.Equal("BadArgumentError", ex.ErrorCode);
            Assert.Equal("SyntaxError", ex.InnerErrorCode);
            Assert.Contains("A recognition error occurred", ex.Message);
        }

        [Fact]
        public void Query_When404_ShouldPointAtTheWorkspaceId()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(404, Wire.Error("PathNotFoundError", "The requested path does not exist")));

            var ex = Assert.Throws<LiveQueryException>(() =>
                Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None));

            Assert.Equal(LiveQueryFailure.NotFound, ex.Reason);
            Assert.Contains("Workspace ID", ex.Hint);
        }

        [Fact]
        public void Query_WhenErrorBodyIsNotJson_ShouldKeepItsText()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Text(400, "<html>proxy says no</html>"));

            var ex = Assert.Throws<LiveQueryException>(() =>
                Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None));

            Assert.Contains("proxy says no", ex.Message);
        }

        [Fact]
        public void Query_WhenA200CarriesPartialError_ShouldReturnItAsIncomplete()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.LaTable(Columns,
                new[] { new object?[] { "2024-03-01T10:00:00Z", "a", 1L, "{}", 1.0, true } },
                "PartialError", "Query result set has exceeded the internal record count limit 500000 records")));

            var result = Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None);

            Assert.False(result.IsComplete);
            Assert.Equal("PartialError", result.PartialError!.Code);
        }

        [Theory]
        [InlineData("{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"a\",\"type\":\"string\"}],\"rows\":[[\"x\"],[\"y\"", "ended")]
        [InlineData("{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"a\",\"type\":\"string\"}],\"rows\":[[\"x\",\"extra\"]]}]}", "row 1")]
        [InlineData("{\"tables\":[{\"name\":\"PrimaryResult\",\"rows\":[]}]}", "no 'columns'")]
        [InlineData("not json at all", "invalid JSON")]
        [InlineData("{\"tables\":{}}", "expected an array")]
        [InlineData("{\"something\":1}", "neither tables nor an error")]
        [InlineData("{\"tables\":[]} trailing", "invalid JSON")]
        public void Query_WhenBodyIsMalformed_ShouldThrowMalformedResponseSayingWhere(string body, string expected)
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, body));

            var ex = Assert.Throws<LiveQueryException>(() =>
                Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None));

            Assert.Equal(LiveQueryFailure.MalformedResponse, ex.Reason);
            Assert.Contains(expected, ex.Message);
            Assert.Equal(Window, ex.Window);
        }

        [Fact]
        public void Query_WhenNoContent_ShouldReturnAnEmptyCompleteResult()
        {
            using var server = new FakeHttpServer(r => new FakeResponse { Status = 204, Reason = "No Content" });

            var result = Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None);

            Assert.Empty(result.Rows);
            Assert.True(result.IsComplete);
        }

        [Fact]
        public void Query_WhenBodyIsLargerThanTheCap_ShouldThrowLimitExceeded()
        {
            var rows = Enumerable.Range(0, 2000).Select(i => new object?[] { "2024-03-01T10:00:00Z", new string('x', 100), 1L, "{}", 1.0, true });
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.LaTable(Columns, rows)));
            var options = Opts.For(server);
            options.MaxResponseBytes = 100_000;

            var ex = Assert.Throws<LiveQueryException>(() =>
                Client(server, new FakeCredential(Tokens.Secret), options: options).Query("x", Window, CancellationToken.None));

            Assert.Equal(LiveQueryFailure.LimitExceeded, ex.Reason);
        }

        [Fact]
        public void Query_WhenTheBodyIsCutOffOnce_ShouldAskAgain()
        {
            var json = Wire.LaTable(Columns, new[] { new object?[] { "2024-03-01T10:00:00Z", "a", 1L, "{}", 1.0, true } });
            using var server = new FakeHttpServer(r =>
            {
                var resp = FakeResponse.Json(200, json);
                if (r.Index == 0) resp.CutBodyAfter = 20;
                return resp;
            });

            var result = Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, CancellationToken.None);

            Assert.Single(result.Rows);
            Assert.Equal(2, server.Requests.Count);
        }

        [Fact]
        public async Task Query_WhenCancelledMidRequest_ShouldAbortPromptly()
        {
            var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var server = new FakeHttpServer(async (r, ct) =>
            {
                await release.Task.WaitAsync(ct);
                return FakeResponse.Json(200, Wire.LaTable(Columns, Array.Empty<object?[]>()));
            });
            var client = Client(server, new FakeCredential(Tokens.Secret), options: Opts.For(server, networkTimeoutSeconds: 60));
            using var cts = new CancellationTokenSource();

            var call = Task.Run(() => client.Query("x", Window, cts.Token));
            await server.FirstRequest.Task.WaitAsync(TimeSpan.FromSeconds(10));
            cts.Cancel();
            var finished = await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(10)));

            Assert.Same(call, finished); // the server never answers: only cancellation can end the call
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
            Assert.Single(server.Requests);
            release.TrySetResult(true);
        }

        [Fact]
        public void Query_WhenAlreadyCancelled_ShouldSendNothing()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.LaTable(Columns, Array.Empty<object?[]>())));
            using var cts = new CancellationTokenSource();
            cts.Cancel();

            Assert.ThrowsAny<OperationCanceledException>(() =>
                Client(server, new FakeCredential(Tokens.Secret)).Query("x", Window, cts.Token));
            Assert.Empty(server.Requests);
        }

        [Theory]
        [InlineData("http://10.1.2.3:8080")]
        [InlineData("http://api.loganalytics.io")]
        [InlineData("http://localhost.evil.example")]
        [InlineData("http://128.0.0.1")]
        public void Constructor_WhenPlainHttpToAnotherHost_ShouldRefuseBeforeAnyTokenOrRequest(string endpoint)
        {
            var credential = new FakeCredential(Tokens.Secret);

            var ex = Assert.Throws<LiveQueryException>(() =>
                new LogAnalyticsQueryClient(Opts.Workspace, credential, new LiveClientOptions { Endpoint = new Uri(endpoint) }));

            Assert.Equal(LiveQueryFailure.InsecureEndpoint, ex.Reason);
            Assert.Contains("plain http", ex.Message);
            Assert.Equal(0, credential.Calls);
        }

        [Fact]
        public void Constructor_WhenWorkspaceIsNotAGuid_ShouldRefuseNamingIt()
        {
            var ex = Assert.ThrowsAny<ArgumentException>(() =>
                new LogAnalyticsQueryClient("my-workspace", new FakeCredential(Tokens.Secret)));
            Assert.Contains("my-workspace", ex.Message);
        }

        [Fact]
        public void Query_WhenLocalhostByName_ShouldSendTheToken()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, Wire.LaTable(Columns, Array.Empty<object?[]>())));
            var options = Opts.For(server);
            options.Endpoint = new Uri($"http://localhost:{server.BaseUri.Port}/");

            new LogAnalyticsQueryClient(Opts.Workspace, new FakeCredential(Tokens.Secret), options).Query("x", Window, CancellationToken.None);

            Assert.Equal("Bearer " + Tokens.Secret, server.Requests[0].Header("Authorization"));
        }

        [Fact]
        public void Query_WhenServerEchoesTheToken_ShouldKeepItOutOfEveryMessage()
        {
            // A hostile or buggy service that reflects the Authorization header in its error text.
            using var server = new FakeHttpServer(r =>
                FakeResponse.Json(r.Index % 2 == 0 ? 403 : 400, Wire.Error("InsufficientAccessError", "denied for " + r.Header("Authorization"),
                    "Inner", "token was " + r.Header("Authorization").Replace("Bearer ", ""))));
            var log = new CapturingLog();
            var client = Client(server, new FakeCredential(Tokens.Secret), log);

            var forbidden = Assert.Throws<LiveQueryException>(() => client.Query("x", Window, CancellationToken.None));
            var bad = Assert.Throws<LiveQueryException>(() => client.Query("x", Window, CancellationToken.None));

            foreach (var text in new[] { forbidden.ToString(), bad.ToString(), forbidden.ServiceError!.ToString() }.Concat(log.All()))
            {
                Assert.DoesNotContain(Tokens.Secret, text);
                Assert.DoesNotContain("SECRET-SIGNATURE", text);
            }
            Assert.Contains("denied for Bearer ***", forbidden.Message);
        }
    }
}
