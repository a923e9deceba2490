using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core.Pipeline;
using RunCommandHunt.Engine.Sources;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Live.Tests
{
    /// <summary>The https path (Azure.Core's own BearerTokenAuthenticationPolicy), with an in-process handler in place of the network.</summary>
    public class HttpsPipelineTests
    {
        private sealed class RecordingHandler : HttpMessageHandler
        {
            public readonly List<(Uri Uri, string? Authorization, string Body)> Seen = new List<(Uri, string?, string)>();
            private readonly Func<int, HttpResponseMessage> _answer;
            public RecordingHandler(Func<int, HttpResponseMessage> answer) { _answer = answer; }

            // The clients are synchronous; Azure.Core then calls the handler's Send.
            protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                var body = request.Content == null ? "" : request.Content.ReadAsStringAsync(cancellationToken).GetAwaiter().GetResult();
                Seen.Add((request.RequestUri!, request.Headers.Authorization?.ToString(), body));
                return _answer(Seen.Count - 1);
            }

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
                Task.FromResult(Send(request, cancellationToken));
        }

        private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
            new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

        [Fact]
        public void Query_WhenHttpsEndpoint_ShouldSendTheTokenThroughAzureCoresPolicy()
        {
            var handler = new RecordingHandler(i => Json(HttpStatusCode.OK, Wire.LaTable(new[] { new Wire.Column("a", "string") }, new[] { new object?[] { "x" } })));
            var options = new LiveClientOptions { Transport = new HttpClientTransport(handler), RetryDelay = TimeSpan.FromMilliseconds(1) };

            var result = new LogAnalyticsQueryClient(Opts.Workspace, new FakeCredential(Tokens.Secret), options)
                .Query("x", new QueryWindow(Opts.Utc(2024, 3, 1), Opts.Utc(2024, 3, 2)), CancellationToken.None);

            var seen = Assert.Single(handler.Seen);
            Assert.Equal($"https://api.loganalytics.io/v1/workspaces/{Opts.Workspace}/query", seen.Uri.AbsoluteUri);
            Assert.Equal("Bearer " + Tokens.Secret, seen.Authorization);
            Assert.Equal("x", result.Rows[0][0]);
        }

        [Fact]
        public void Query_WhenEndpointOverrideHasAPath_ShouldAppendTheApiPath()
        {
            var handler = new RecordingHandler(i => Json(HttpStatusCode.OK, Wire.Graph(new[] { new Wire.Column("a", "String") }, Array.Empty<Dictionary<string, object?>>())));
            var options = new LiveClientOptions { Transport = new HttpClientTransport(handler), Endpoint = new Uri("https://proxy.contoso.com/graph/") };

            new DefenderHuntingQueryClient(new FakeCredential(Tokens.Secret), options, null, () => Opts.Utc(2024, 3, 5))
                .Query("x", new QueryWindow(Opts.Utc(2024, 3, 1), Opts.Utc(2024, 3, 2)), CancellationToken.None);

            Assert.Equal("https://proxy.contoso.com/graph/v1.0/security/runHuntingQuery", Assert.Single(handler.Seen).Uri.AbsoluteUri);
        }

        [Fact]
        public void Query_WhenTheHandlerFailsEveryTime_ShouldReportATransportErrorAfterTheRetries()
        {
            var handler = new RecordingHandler(i => throw new HttpRequestException("connection refused"));
            var options = new LiveClientOptions { Transport = new HttpClientTransport(handler), MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(5) };

            var ex = Assert.Throws<LiveQueryException>(() => new LogAnalyticsQueryClient(Opts.Workspace, new FakeCredential(Tokens.Secret), options)
                .Query("x", new QueryWindow(Opts.Utc(2024, 3, 1), Opts.Utc(2024, 3, 2)), CancellationToken.None));

            Assert.Equal(LiveQueryFailure.Transport, ex.Reason);
            Assert.Equal(3, handler.Seen.Count);
            Assert.Contains("connection refused", ex.Message);
        }
    }
}
