using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Module.Tests.Live
{
    /// <summary>What the cmdlets do when the service throttles, fails, answers in part or refuses: the whole result or a clear error, never a short one.</summary>
    public sealed class LiveFaultTests : IDisposable
    {
        private const string Token = "la-token-for-live-fault-tests";

        /// <summary>Log Analytics' non-fatal error: HTTP 200, the rows it has, and this object (a truncated result).</summary>
        private const string PartialError =
            "{\"code\":\"PartialError\",\"message\":\"There were some errors when processing your query.\"," +
            "\"details\":[{\"code\":\"EngineError\",\"message\":\"Something went wrong processing your query on the server.\"," +
            "\"innererror\":{\"code\":\"-2133196797\",\"message\":\"Query result set has exceeded the internal record count limit 500000 records.\",\"severity\":2,\"severityName\":\"Error\"}}]}";

        private readonly LiveHost _host = new LiveHost();
        private readonly FakeHuntService _la = new FakeHuntService(FakeHuntService.Api.LogAnalytics, SampleTable.LoadSamples(), Token);

        public void Dispose()
        {
            _la.Dispose();
            _host.Dispose();
        }

        private Hunts.Outcome LiveHunt() => Hunts.Run(_host, Hunts.LiveScript, Hunts.LiveVariables(_la, Token, "None"), TimeSpan.Zero);

        private LiveHost.Result LiveHuntCatching(string? token = null, string? endpoint = null)
        {
            var variables = Hunts.LiveVariables(_la, token ?? Token, "None");
            if (endpoint != null) variables["la"] = endpoint;
            return _host.RunCatching(Hunts.LiveScript, variables);
        }

        [Theory]
        [InlineData(429, "TooManyRequests")]
        [InlineData(503, "ServiceUnavailable")]
        public void LiveHunt_WhenTheFirstAnswerIsRetriable_ShouldRetryAndReturnTheWholeResult(int status, string code)
        {
            var expected = Hunts.Offline(_host, "None", TimeSpan.Zero);
            // A small Retry-After: the retry must wait for it, and the test must not.
            _la.Fault = (r, ct) => Task.FromResult(r.Index == 0
                ? FakeHuntService.Error(status, code, "Try again later.", null, ("Retry-After", "1"))
                : null);

            var live = LiveHunt();

            Assert.Equal(expected.Executions, live.Executions);
            Assert.Equal(expected.Uniques, live.Uniques);
            var requests = _la.Requests;
            Assert.Equal(requests[0].Body, requests[1].Body);
        }

        [Fact]
        public void LiveHunt_WhenAnAnswerIsPartial_ShouldAskAgainInHalvesAndReturnTheWholeResult()
        {
            var expected = Hunts.Offline(_host, "None", TimeSpan.Zero);
            // The first AzureActivity answer holds half its rows and says PartialError, as a truncated result does.
            _la.Rewrite = (r, a) =>
            {
                if (r.Index != 0) return a;
                a.Rows = a.Rows.Take(a.Rows.Count / 2).ToList();
                a.ErrorJson = PartialError;
                return a;
            };

            var live = LiveHunt();

            Assert.Equal(expected.Executions, live.Executions);
            Assert.Equal(expected.Uniques, live.Uniques);
            var requests = _la.Requests;
            Assert.All(requests.Take(3), r => Assert.Equal("AzureActivity", _la.TableOf(r)));
            var (start, end) = _la.WindowOf(requests[0]);
            var first = _la.WindowOf(requests[1]);
            var second = _la.WindowOf(requests[2]);
            Assert.Equal(start, first.Start);
            Assert.Equal(first.End, second.Start);
            Assert.Equal(end, second.End);
        }

        [Fact]
        public void LiveHunt_WhenEveryAnswerIsPartial_ShouldStopWithAnErrorNamingTheWindow()
        {
            _la.Rewrite = (r, a) =>
            {
                a.ErrorJson = PartialError;
                return a;
            };

            var r = LiveHuntCatching();

            Assert.Empty(r.Output);
            Assert.NotNull(r.Caught);
            Assert.StartsWith("LiveQueryPartialResult,", r.Caught!.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ReadError, r.Caught.CategoryInfo.Category);
            var message = r.Caught.Exception.Message;
            Assert.Contains($"Log Analytics workspace {_la.WorkspaceId:D}", message);
            Assert.Contains("window [" + SampleTable.Format(Hunts.Start) + ", ", message);
            Assert.Contains("PartialError", message);
            // It split the window before giving up.
            Assert.True(_la.Requests.Count > 2, $"{_la.Requests.Count} requests");
        }

        [Fact]
        public void LiveHunt_WhenTheTokenIsRefused_ShouldStopWithLiveQueryUnauthorized()
        {
            var r = LiveHuntCatching(token: "a-token-the-workspace-does-not-accept");

            Assert.Empty(r.Output);
            Assert.NotNull(r.Caught);
            Assert.StartsWith("LiveQueryUnauthorized,", r.Caught!.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, r.Caught.CategoryInfo.Category);
            Assert.Contains("HTTP 401", r.Caught.Exception.Message);
            Assert.Contains("AuthenticationFailed", r.Caught.Exception.Message);
            // 401 is not retried.
            Assert.Single(_la.Requests);
        }

        [Fact]
        public void LiveHunt_WhenAccessIsDenied_ShouldStopWithLiveQueryForbidden()
        {
            _la.Fault = (r, ct) => Task.FromResult<FakeResponse?>(FakeHuntService.Error(403, "InsufficientAccessError",
                "The provided credentials have insufficient access to perform the requested operation"));

            var r = LiveHuntCatching();

            Assert.Empty(r.Output);
            Assert.NotNull(r.Caught);
            Assert.StartsWith("LiveQueryForbidden,", r.Caught!.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.PermissionDenied, r.Caught.CategoryInfo.Category);
            Assert.Contains("HTTP 403", r.Caught.Exception.Message);
            Assert.Contains("InsufficientAccessError", r.Caught.Exception.Message);
            Assert.Single(_la.Requests);
        }

        [Theory]
        [InlineData("Get-RunCommandOperation -WorkspaceId $ws -Endpoint $la -AccessToken $token -StartTime $start -EndTime $end")]
        [InlineData("Get-RunCommandOperation -Path $d | Get-RunCommandScriptExecution -Source DefenderXdr -Endpoint $la -AccessToken $token")]
        public void LiveHunt_WhenPlainHttpToAnotherHost_ShouldRefuseWithLiveQueryInsecureEndpoint(string script)
        {
            var variables = Hunts.LiveVariables(_la, Token, "None");
            variables["la"] = new Uri("http://192.0.2.1:1");
            variables["d"] = ModuleHost.Samples;

            var r = _host.RunCatching(script, variables);

            Assert.Empty(r.Output);
            Assert.NotNull(r.Caught);
            Assert.StartsWith("LiveQueryInsecureEndpoint,", r.Caught!.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.SecurityError, r.Caught.CategoryInfo.Category);
            Assert.Contains("plain http to http://192.0.2.1:1", r.Caught.Exception.Message);
        }

        [Fact]
        public void LiveHunt_WhenPlainHttpToThisMachinesOwnNetworkAddress_ShouldSendNothing()
        {
            // A listener on every address: had the hunt sent its token over plain http, it would arrive here.
            var address = NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
            Assert.True(address != null, "This machine has no non-loopback IPv4 address to test with.");
            var listener = new TcpListener(IPAddress.Any, 0);
            listener.Start();
            try
            {
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;

                var r = LiveHuntCatching(endpoint: $"http://{address}:{port}");

                Assert.NotNull(r.Caught);
                Assert.StartsWith("LiveQueryInsecureEndpoint,", r.Caught!.FullyQualifiedErrorId);
                Assert.False(listener.Pending(), "A connection reached the listener.");
            }
            finally
            {
                listener.Stop();
            }
        }
    }
}
