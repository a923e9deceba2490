using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Module.Tests.Live
{
    /// <summary>Ctrl+C (PowerShell.Stop) during a live query ends the pipeline at once, not after the client timeout.</summary>
    public sealed class LiveCancelTests : IDisposable
    {
        private const string Token = "la-token-for-live-cancel-tests";

        private readonly LiveHost _host = new LiveHost();
        private readonly FakeHuntService _hanging = new FakeHuntService(FakeHuntService.Api.LogAnalytics, SampleTable.LoadSamples(), Token)
        {
            // A service that takes every request and never answers (the client timeout is 195 s).
            Fault = async (r, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return null;
            },
        };

        public void Dispose()
        {
            _hanging.Dispose();
            _host.Dispose();
        }

        [Theory]
        [InlineData("Get-RunCommandOperation -WorkspaceId $ws -Endpoint $la -AccessToken $token -StartTime $start -EndTime $end | " +
                    "Get-RunCommandScriptExecution -WorkspaceId $ws -Endpoint $la -AccessToken $token -StartTime $start -EndTime $end")]
        [InlineData("Get-RunCommandOperation -Path $d | " +
                    "Get-RunCommandScriptExecution -WorkspaceId $ws -Endpoint $la -AccessToken $token -StartTime $start -EndTime $end")]
        public async Task LiveHunt_WhenStoppedWhileTheServiceIsSilent_ShouldStopWithinSeconds(string script)
        {
            var variables = Hunts.LiveVariables(_hanging, Token, "None");
            variables["d"] = ModuleHost.Samples;
            using var ps = _host.Create(script, variables);

            var running = ps.BeginInvoke();
            var first = _hanging.Server.FirstRequest.Task;
            Assert.True(await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(20))) == first, "No query reached the service.");
            await Task.Delay(1000); // the request is in flight, the cmdlet waiting on it
            Assert.False(running.IsCompleted);
            var stopping = ps.BeginStop(null, null);

            Assert.True(running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)), "The pipeline was still running 10 s after Stop.");
            ps.EndStop(stopping);
            Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
            Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
            // Stopped, not retried.
            Assert.Single(_hanging.Requests);
            // The runspace is usable afterwards.
            Assert.Equal("2", _host.Run("1 + 1").Output[0].ToString());
        }
    }
}
