using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Azure.Core;
using Azure.Identity;
using RunCommandHunt.Engine.Sources;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Live.Tests
{
    public class LiveCredentialTests
    {
        private static string Jwt(string audience, DateTimeOffset expires)
        {
            static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            return B64("{\"alg\":\"none\"}") + "." + B64($"{{\"aud\":\"{audience}\",\"exp\":{expires.ToUnixTimeSeconds()}}}") + ".c2lnbmF0dXJlLXNlY3JldA";
        }

        private static readonly TokenRequestContext LaScope = new TokenRequestContext(new[] { "https://api.loganalytics.io/.default" });

        [Fact]
        public void StaticAccessToken_WhenJwt_ShouldTakeItsExpiry()
        {
            var expires = DateTimeOffset.UtcNow.AddMinutes(42);
            var token = Jwt("https://api.loganalytics.io", expires);

            var t = new StaticAccessTokenCredential(token).GetToken(LaScope, CancellationToken.None);

            Assert.Equal(token, t.Token);
            Assert.Equal(expires.ToUnixTimeSeconds(), t.ExpiresOn.ToUnixTimeSeconds());
        }

        [Fact]
        public void StaticAccessToken_WhenForAnotherAudience_ShouldWarnWithoutTheToken()
        {
            var token = Jwt("https://management.azure.com", DateTimeOffset.UtcNow.AddHours(1));
            var log = new CapturingLog();

            new StaticAccessTokenCredential(LiveAuthOptions.Secure(token), log).GetToken(LaScope, CancellationToken.None);

            var warning = Assert.Single(log.Warnings);
            Assert.Contains("https://management.azure.com", warning);
            Assert.Contains("https://api.loganalytics.io", warning);
            Assert.DoesNotContain(token, warning);
            Assert.DoesNotContain(token.Split('.')[1], warning);
        }

        [Fact]
        public void StaticAccessToken_WhenExpired_ShouldFailWithoutTheToken()
        {
            var token = Jwt("https://api.loganalytics.io", DateTimeOffset.UtcNow.AddMinutes(-5));

            var ex = Assert.Throws<CredentialUnavailableException>(() => new StaticAccessTokenCredential(token).GetToken(LaScope, CancellationToken.None));

            Assert.Contains("expired", ex.Message);
            Assert.DoesNotContain(token, ex.ToString());
        }

        [Fact]
        public void StaticAccessToken_WhenUsedForAQuery_ShouldSendItAndNeverLogIt()
        {
            var token = Jwt("https://api.loganalytics.io", DateTimeOffset.UtcNow.AddHours(1));
            using var server = new FakeHttpServer(r => FakeResponse.Json(403, Wire.Error("InsufficientAccessError", "no")));
            var log = new CapturingLog();
            var options = new LiveAuthOptions { Method = LiveAuthMethod.AccessToken };
            options.SetAccessToken(token);
            var credential = LiveCredentialFactory.Create(options, log);
            var client = new LogAnalyticsQueryClient(Opts.Workspace, credential, Opts.For(server), log);

            var ex = Assert.Throws<LiveQueryException>(() =>
                new ChunkedQueryRunner(client, null, log).Run("t", new QueryWindow(Opts.Utc(2024, 3, 1), Opts.Utc(2024, 3, 2)),
                    w => "AzureActivity | where " + Engine.Kql.RunCommandQueries.TimeFilter("TimeGenerated", w), CancellationToken.None).ToList());

            Assert.Equal("Bearer " + token, server.Requests[0].Header("Authorization"));
            foreach (var text in log.All().Append(ex.ToString()).Append(credential.ToString()!).Append(options.ToString()))
                Assert.DoesNotContain(token, text);
        }

        private sealed class FailingCredential : TokenCredential
        {
            public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
                throw new AuthenticationFailedException("AADSTS7000215: Invalid client secret provided. Assertion " + Tokens.Secret);
            public override System.Threading.Tasks.ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
                throw new AuthenticationFailedException("AADSTS7000215");
        }

        [Fact]
        public void Query_WhenSignInFails_ShouldThrowUnauthorizedWithoutSendingOrLeaking()
        {
            using var server = new FakeHttpServer(r => FakeResponse.Json(200, "{}"));
            var client = new LogAnalyticsQueryClient(Opts.Workspace, new FailingCredential(), Opts.For(server));

            var ex = Assert.Throws<LiveQueryException>(() =>
                client.Query("x", new QueryWindow(Opts.Utc(2024, 3, 1), Opts.Utc(2024, 3, 2)), CancellationToken.None));

            Assert.Equal(LiveQueryFailure.Unauthorized, ex.Reason);
            Assert.Contains("AADSTS7000215", ex.Message);
            Assert.DoesNotContain(Tokens.Secret, ex.ToString());
            Assert.Empty(server.Requests);
        }

        [Fact]
        public void Options_WhenSecretsAreSet_ShouldKeepThemOutOfToString()
        {
            var options = new LiveAuthOptions
            {
                Method = LiveAuthMethod.ClientSecret, TenantId = "t", ClientId = "c",
                ClientSecret = LiveAuthOptions.Secure("s3cr3t-value"), CertificatePassword = LiveAuthOptions.Secure("pfx-pass"),
            };
            options.SetAccessToken("access-token-value");

            var text = options.ToString();

            Assert.Contains("ClientSecret", text);
            Assert.DoesNotContain("s3cr3t-value", text);
            Assert.DoesNotContain("pfx-pass", text);
            Assert.DoesNotContain("access-token-value", text);
        }

        [Fact]
        public void Create_WhenClientSecret_ShouldNotExposeTheSecret()
        {
            var credential = LiveCredentialFactory.Create(new LiveAuthOptions
            {
                Method = LiveAuthMethod.ClientSecret, TenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47", ClientId = "client-app",
                ClientSecret = LiveAuthOptions.Secure("s3cr3t-value"),
            });

            Assert.DoesNotContain("s3cr3t-value", credential.ToString());
            Assert.Contains("client-app", credential.ToString());
        }

        [Theory]
        [InlineData(LiveAuthMethod.ClientSecret, null, "c", "TenantId")]
        [InlineData(LiveAuthMethod.ClientSecret, "t", null, "ClientId")]
        [InlineData(LiveAuthMethod.ClientCertificate, null, "c", "TenantId")]
        public void Create_WhenARequiredIdIsMissing_ShouldNameIt(LiveAuthMethod method, string? tenant, string? client, string missing)
        {
            var ex = Assert.Throws<ArgumentException>(() => LiveCredentialFactory.Create(new LiveAuthOptions
            {
                Method = method, TenantId = tenant, ClientId = client, ClientSecret = LiveAuthOptions.Secure("x"),
            }));
            Assert.Contains(missing, ex.Message);
        }

        [Fact]
        public void Create_WhenCertificateFileIsMissing_ShouldNameThePath()
        {
            var path = Path.Combine(Path.GetTempPath(), "no-such-" + Guid.NewGuid() + ".pfx");
            var ex = Assert.Throws<ArgumentException>(() => LiveCredentialFactory.Create(new LiveAuthOptions
            {
                Method = LiveAuthMethod.ClientCertificate, TenantId = "t", ClientId = "c", CertificatePath = path,
            }));
            Assert.Contains(path, ex.Message);
        }

        private static string WritePfx(string password)
        {
            using var rsa = System.Security.Cryptography.RSA.Create(2048);
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=RunCommandHunt test", rsa,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var path = Path.Combine(Path.GetTempPath(), "rch-" + Guid.NewGuid() + ".pfx");
            File.WriteAllBytes(path, cert.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, password));
            return path;
        }

        [Fact]
        public void Create_WhenPfxAndPasswordAreRight_ShouldBuildACertificateCredential()
        {
            var path = WritePfx("pfx-pass");
            try
            {
                var credential = LiveCredentialFactory.Create(new LiveAuthOptions
                {
                    Method = LiveAuthMethod.ClientCertificate, TenantId = "t", ClientId = "c", CertificatePath = path,
                    CertificatePassword = LiveAuthOptions.Secure("pfx-pass"),
                });
                Assert.IsType<ClientCertificateCredential>(credential);
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void Create_WhenPfxPasswordIsWrong_ShouldNameTheFileButNotThePassword()
        {
            var path = WritePfx("pfx-pass");
            try
            {
                var ex = Assert.Throws<ArgumentException>(() => LiveCredentialFactory.Create(new LiveAuthOptions
                {
                    Method = LiveAuthMethod.ClientCertificate, TenantId = "t", ClientId = "c", CertificatePath = path,
                    CertificatePassword = LiveAuthOptions.Secure("wrong-pass"),
                }));
                Assert.Contains(path, ex.Message);
                Assert.DoesNotContain("wrong-pass", ex.ToString());
            }
            finally { File.Delete(path); }
        }

        [Fact]
        public void Create_WhenThumbprintIsNotInAnyStore_ShouldSayWhereItLooked()
        {
            var ex = Assert.Throws<ArgumentException>(() => LiveCredentialFactory.Create(new LiveAuthOptions
            {
                Method = LiveAuthMethod.ClientCertificate, TenantId = "t", ClientId = "c", CertificateThumbprint = "00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 00 11 22 33",
            }));
            Assert.Contains("00112233445566778899AABBCCDDEEFF00112233", ex.Message);
            Assert.Contains("CurrentUser", ex.Message);
        }

        [Theory]
        [InlineData(LiveAuthMethod.Default, typeof(DefaultAzureCredential))]
        [InlineData(LiveAuthMethod.InteractiveBrowser, typeof(InteractiveBrowserCredential))]
        [InlineData(LiveAuthMethod.DeviceCode, typeof(DeviceCodeCredential))]
        [InlineData(LiveAuthMethod.ManagedIdentity, typeof(ManagedIdentityCredential))]
        public void Create_WhenMethodChosen_ShouldBuildThatCredential(LiveAuthMethod method, Type expected)
        {
            var credential = LiveCredentialFactory.Create(new LiveAuthOptions { Method = method, Cloud = AzureCloud.AzureUSGovernment, ClientId = "1d0e4c2a-0000-0000-0000-000000000001" });
            Assert.IsType(expected, credential);
        }

        [Theory]
        [InlineData("http://127.0.0.1:1", true)]
        [InlineData("http://127.45.6.7/", true)]
        [InlineData("http://[::1]:8080/", true)]
        [InlineData("http://[::ffff:127.0.0.1]/", true)]
        [InlineData("http://localhost/", true)]
        [InlineData("http://LOCALHOST:9/", true)]
        [InlineData("http://localhost.evil.example/", false)]
        [InlineData("http://128.0.0.1/", false)]
        [InlineData("http://10.0.0.1/", false)]
        [InlineData("http://[::2]/", false)]
        [InlineData("http://0.0.0.0/", false)]
        public void IsLoopback_WhenHostGiven_ShouldAcceptOnlyThisMachine(string uri, bool expected)
        {
            Assert.Equal(expected, EndpointGuard.IsLoopback(new Uri(uri)));
        }
    }
}
