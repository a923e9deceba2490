using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Text;
using System.Threading.Tasks;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Module.Tests.Live
{
    /// <summary>The access token reaches the service and nothing else: no stream, rendering or error text repeats it.</summary>
    public sealed class LiveSecretTests : IDisposable
    {
        // Distinctive, so any echo of it (whole) is found; long enough that the engine's scrubber takes it as a secret.
        private const string Token = "SeCrEt-ToKeN-d41d8cd98f00b204e980-0998ecf8427e";

        private readonly LiveHost _host = new LiveHost();
        private readonly FakeHuntService _la = new FakeHuntService(FakeHuntService.Api.LogAnalytics, SampleTable.LoadSamples(), Token);

        public void Dispose()
        {
            _la.Dispose();
            _host.Dispose();
        }

        /// <summary>The hunt with -Verbose -Debug on every cmdlet, its output rendered as a console shows it.</summary>
        private const string VerboseHunt =
            "$found = Get-RunCommandOperation -WorkspaceId $ws -Endpoint $la -AccessToken $token -StartTime $start -EndTime $end -Verbose -Debug | " +
            "Get-RunCommandScriptExecution -WorkspaceId $ws -Endpoint $la -AccessToken $token -StartTime $start -EndTime $end -Verbose -Debug | " +
            "Find-UniqueRunCommandScript -Verbose -Debug\n" +
            "$found | Out-String -Width 400\n" +
            "$found | Format-List * | Out-String -Width 400\n" +
            "$found.Count";

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void LiveHunt_WhenVerboseAndDebug_ShouldShowTheTokenInNoStream(bool secureString)
        {
            var variables = Hunts.LiveVariables(_la, Token, "None");
            if (secureString) variables["token"] = new NetworkCredential("", Token).SecurePassword;

            var r = _host.RunCatching(VerboseHunt, variables);

            Assert.True(r.Caught == null && r.Errors.Count == 0, r.Problems + r.Caught);
            // The hunt ran and talked: the check below looks at real text.
            Assert.Equal("1", r.Output.Last().ToString());
            Assert.NotEmpty(r.Verbose);
            Assert.All(_la.Requests, q => Assert.Equal("Bearer " + Token, q.Header("Authorization")));
            AssertNoToken(r);
        }

        [Fact]
        public void LiveHunt_WhenTheServiceEchoesTheTokenInItsError_ShouldNotRepeatIt()
        {
            _la.Fault = (q, ct) => Task.FromResult<FakeResponse?>(FakeHuntService.Error(403, "InvalidAuthenticationTokenAudience",
                $"The token {Token} is for another audience (Authorization: Bearer {Token})"));

            var r = _host.RunCatching(VerboseHunt, Hunts.LiveVariables(_la, Token, "None"));

            Assert.NotNull(r.Caught);
            Assert.StartsWith("LiveQueryForbidden,", r.Caught!.FullyQualifiedErrorId);
            // The service's words survive; only the token is gone.
            Assert.Contains("InvalidAuthenticationTokenAudience", r.Caught.Exception.Message);
            Assert.Contains("is for another audience", r.Caught.Exception.Message);
            AssertNoToken(r);
        }

        [Fact]
        public void LiveHunt_WhenTheErrorIsRendered_ShouldNotShowTheToken()
        {
            _la.Fault = (q, ct) => Task.FromResult<FakeResponse?>(FakeHuntService.Error(401, "AuthenticationFailed", $"Token {Token} expired."));

            // What a user sees: the error as the console formats it, in full.
            var r = _host.Run(
                "try { Get-RunCommandOperation -WorkspaceId $ws -Endpoint $la -AccessToken $token -StartTime $start -EndTime $end -Verbose -Debug }\n" +
                "catch { $_ | Out-String -Width 400; $_ | Format-List * -Force | Out-String -Width 400; $_.Exception | Format-List * -Force | Out-String -Width 400 }\n" +
                "$Error | Out-String -Width 400",
                Hunts.LiveVariables(_la, Token, "None"));

            Assert.Contains(r.Output, o => o.ToString().Contains("AuthenticationFailed", StringComparison.Ordinal));
            AssertNoToken(r);
        }

        private static void AssertNoToken(LiveHost.Result r)
        {
            var text = Everything(r);
            Assert.False(text.Contains(Token, StringComparison.Ordinal), "The token appears in:\n" + text);
        }

        /// <summary>Every stream of the run as text: output, errors in every form, warnings, verbose, debug, information, progress.</summary>
        private static string Everything(LiveHost.Result r)
        {
            var sb = new StringBuilder();
            foreach (var o in r.Output) sb.AppendLine(o?.ToString());
            var errors = r.Errors.ToList();
            if (r.Caught != null) errors.Add(r.Caught);
            if (r.Terminating != null) { sb.AppendLine(r.Terminating.ToString()); errors.Add(r.Terminating.ErrorRecord); }
            foreach (var e in errors)
            {
                sb.AppendLine(e.ToString());
                sb.AppendLine(e.FullyQualifiedErrorId);
                sb.AppendLine(e.CategoryInfo.ToString());
                sb.AppendLine(e.ErrorDetails?.Message);
                sb.AppendLine(e.ErrorDetails?.RecommendedAction);
                sb.AppendLine(e.TargetObject?.ToString());
                sb.AppendLine(e.ScriptStackTrace);
                for (var ex = e.Exception; ex != null; ex = ex.InnerException)
                {
                    sb.AppendLine(ex.Message);
                    sb.AppendLine(ex.ToString());
                    foreach (System.Collections.DictionaryEntry d in ex.Data) sb.AppendLine($"{d.Key}={d.Value}");
                }
            }
            foreach (var w in r.Warnings) sb.AppendLine(w.Message);
            foreach (var v in r.Verbose) sb.AppendLine(v.Message);
            foreach (var d in r.Debug) sb.AppendLine(d.Message);
            foreach (var i in r.Information) sb.AppendLine(i.MessageData?.ToString());
            foreach (var p in r.Progress) sb.AppendLine(p.Activity + " " + p.StatusDescription + " " + p.CurrentOperation);
            return sb.ToString();
        }
    }
}
