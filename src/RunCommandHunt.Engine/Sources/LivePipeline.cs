using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>
    /// The Azure.Core pipeline a live client sends through: the SDK's retry policy with RetryOptions defaults, a bearer
    /// token policy, request id, telemetry and logging policies, and a classifier that retries what LogsQueryClient retries.
    /// </summary>
    internal static class LivePipeline
    {
        public static HttpPipeline Build(LiveClientOptions options, TokenCredential credential, string scope, Uri endpoint, string target)
        {
            var clientOptions = new LiveAzureClientOptions();
            clientOptions.Retry.MaxRetries = options.MaxRetries;
            clientOptions.Retry.Delay = options.RetryDelay;
            clientOptions.Retry.MaxDelay = options.MaxRetryDelay;
            clientOptions.Retry.Mode = RetryMode.Exponential;
            clientOptions.Retry.NetworkTimeout = options.EffectiveNetworkTimeout;
            clientOptions.Diagnostics.ApplicationId = "RunCommandHunt";
            // Content logging would put result rows in the Azure SDK event source; headers are redacted by Azure.Core.
            clientOptions.Diagnostics.IsLoggingContentEnabled = false;
            if (options.Transport != null) clientOptions.Transport = options.Transport;

            HttpPipelinePolicy auth = EndpointGuard.RequiresLoopbackPolicy(endpoint, target)
                ? new LoopbackBearerTokenPolicy(credential, scope, target)
                : new BearerTokenAuthenticationPolicy(credential, scope);

            return HttpPipelineBuilder.Build(clientOptions, Array.Empty<HttpPipelinePolicy>(), new[] { auth }, new LiveResponseClassifier());
        }
    }

    internal sealed class LiveAzureClientOptions : ClientOptions
    {
    }

    /// <summary>Retries 408, 429, 500, 502, 503, 504, transport failures and per-try timeouts - not user cancellation.</summary>
    internal sealed class LiveResponseClassifier : ResponseClassifier
    {
        public override bool IsRetriableResponse(HttpMessage message)
        {
            switch (message.Response.Status)
            {
                case 408:
                case 429:
                case 500:
                case 502:
                case 503:
                case 504:
                    return true;
                default:
                    return false;
            }
        }

        public override bool IsRetriableException(Exception exception) =>
            exception is IOException
            || exception is HttpRequestException
            || (exception is RequestFailedException rfe && rfe.Status == 0);

        public override bool IsRetriable(HttpMessage message, Exception exception) =>
            IsRetriableException(exception)
            || (exception is OperationCanceledException && !message.CancellationToken.IsCancellationRequested);
    }

    /// <summary>Where the bearer token may go. https anywhere; plain http only to this machine.</summary>
    public static class EndpointGuard
    {
        /// <summary>127.0.0.0/8, ::1 (and IPv4-mapped loopback), or the name "localhost".</summary>
        public static bool IsLoopback(Uri uri)
        {
            var host = uri.IdnHost;
            if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
            if (host.StartsWith("[", StringComparison.Ordinal) && host.EndsWith("]", StringComparison.Ordinal))
                host = host.Substring(1, host.Length - 2);
            if (!IPAddress.TryParse(host, out var ip)) return false;
            if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
            return IPAddress.IsLoopback(ip);
        }

        /// <summary>
        /// True for http to a loopback host (our own token policy sends the token there); false for https; throws
        /// <see cref="LiveQueryException"/> (InsecureEndpoint) for anything else, before any request exists.
        /// </summary>
        public static bool RequiresLoopbackPolicy(Uri endpoint, string target)
        {
            if (!endpoint.IsAbsoluteUri)
                throw new LiveQueryException(LiveQueryFailure.InsecureEndpoint, target, $"the endpoint '{endpoint}' is not an absolute URI");
            if (string.Equals(endpoint.Scheme, "https", StringComparison.OrdinalIgnoreCase)) return false;
            if (string.Equals(endpoint.Scheme, "http", StringComparison.OrdinalIgnoreCase))
            {
                if (IsLoopback(endpoint)) return true;
                throw new LiveQueryException(LiveQueryFailure.InsecureEndpoint, target,
                    $"refusing to send a bearer token over plain http to {endpoint.GetLeftPart(UriPartial.Authority)}",
                    hint: "Use https; plain http is allowed only to this machine (127.0.0.1, ::1, localhost), e.g. for a local test server");
            }
            throw new LiveQueryException(LiveQueryFailure.InsecureEndpoint, target,
                $"the endpoint scheme '{endpoint.Scheme}' is not supported", hint: "Use an https:// endpoint");
        }
    }

    /// <summary>
    /// Azure.Core's BearerTokenAuthenticationPolicy refuses http outright. This one sends the token over http, but only
    /// to a loopback host, checked again on every request; tokens are cached until 5 minutes before they expire.
    /// </summary>
    internal sealed class LoopbackBearerTokenPolicy : HttpPipelinePolicy
    {
        private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
        private readonly TokenCredential _credential;
        private readonly string[] _scopes;
        private readonly string _target;
        private readonly object _gate = new object();
        private AccessToken? _token;

        public LoopbackBearerTokenPolicy(TokenCredential credential, string scope, string target)
        {
            _credential = credential;
            _scopes = new[] { scope };
            _target = target;
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Check(message);
            var token = Cached();
            if (token == null)
            {
                token = _credential.GetToken(new TokenRequestContext(_scopes), message.CancellationToken);
                Store(token.Value);
            }
            message.Request.Headers.SetValue(HttpHeader.Names.Authorization, "Bearer " + token.Value.Token);
            ProcessNext(message, pipeline);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Check(message);
            var token = Cached();
            if (token == null)
            {
                token = await _credential.GetTokenAsync(new TokenRequestContext(_scopes), message.CancellationToken).ConfigureAwait(false);
                Store(token.Value);
            }
            message.Request.Headers.SetValue(HttpHeader.Names.Authorization, "Bearer " + token.Value.Token);
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }

        private void Check(HttpMessage message)
        {
            var uri = message.Request.Uri.ToUri();
            if (string.Equals(uri.Scheme, "https", StringComparison.OrdinalIgnoreCase)) return;
            if (!EndpointGuard.IsLoopback(uri))
                throw new LiveQueryException(LiveQueryFailure.InsecureEndpoint, _target,
                    $"refusing to send a bearer token over plain http to {uri.GetLeftPart(UriPartial.Authority)}");
        }

        private AccessToken? Cached()
        {
            lock (_gate)
            {
                if (_token.HasValue && _token.Value.ExpiresOn - RefreshMargin > DateTimeOffset.UtcNow) return _token;
                return null;
            }
        }

        private void Store(AccessToken token)
        {
            lock (_gate) _token = token;
        }
    }

    /// <summary>
    /// Removes secrets from text that came from outside (service error messages, exception text) before it reaches a
    /// log or an exception: every token the credential handed out, anything JWT-shaped and any "Bearer ..." value.
    /// </summary>
    internal sealed class SecretScrubber
    {
        private static readonly Regex Jwt = new Regex(@"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*", RegexOptions.CultureInvariant);
        private static readonly Regex Bearer = new Regex(@"(?i)\bbearer\s+[A-Za-z0-9\-._~+/=]+", RegexOptions.CultureInvariant);
        private readonly HashSet<string> _secrets = new HashSet<string>(StringComparer.Ordinal);
        private readonly object _gate = new object();

        public void Add(string? secret)
        {
            // Very short values would blank out ordinary words; a real token is never this short.
            if (string.IsNullOrEmpty(secret) || secret!.Length < 8) return;
            lock (_gate) _secrets.Add(secret);
        }

        public string Scrub(string? text)
        {
            if (string.IsNullOrEmpty(text)) return text ?? "";
            string s = text!;
            lock (_gate)
            {
                foreach (var secret in _secrets)
                    if (s.IndexOf(secret, StringComparison.Ordinal) >= 0) s = s.Replace(secret, "***");
            }
            s = Bearer.Replace(s, "Bearer ***");
            return Jwt.Replace(s, "***");
        }
    }

    /// <summary>Hands out the wrapped credential's tokens and tells the scrubber each one, so no message can echo it.</summary>
    internal sealed class ObservedTokenCredential : TokenCredential
    {
        private readonly TokenCredential _inner;
        private readonly SecretScrubber _scrubber;

        public ObservedTokenCredential(TokenCredential inner, SecretScrubber scrubber)
        {
            _inner = inner;
            _scrubber = scrubber;
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var t = _inner.GetToken(requestContext, cancellationToken);
            _scrubber.Add(t.Token);
            return t;
        }

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var t = await _inner.GetTokenAsync(requestContext, cancellationToken).ConfigureAwait(false);
            _scrubber.Add(t.Token);
            return t;
        }

        public override string ToString() => _inner.GetType().Name;
    }
}
