using System;
using Azure.Core.Pipeline;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>How a live client connects: cloud, endpoint, timeouts and retries. Defaults are Azure.Core's.</summary>
    public sealed class LiveClientOptions
    {
        /// <summary>Log Analytics allows at most 10 minutes of server time per query.</summary>
        public static readonly TimeSpan MaxServerTimeout = TimeSpan.FromMinutes(10);

        public AzureCloud Cloud { get; set; } = AzureCloud.AzurePublic;

        /// <summary>
        /// Another base address for the query API (a private link, a proxy, a test server). Plain http is allowed only
        /// to this machine (127.0.0.0/8, ::1, localhost).
        /// </summary>
        public Uri? Endpoint { get; set; }

        /// <summary>Token scope to ask for instead of the cloud's ("https://api.loganalytics.io/.default").</summary>
        public string? Scope { get; set; }

        /// <summary>Server-side timeout sent as Prefer: wait=N. Default 180 s (the service's), at most 600 s.</summary>
        public TimeSpan ServerTimeout { get; set; } = TimeSpan.FromSeconds(180);

        /// <summary>Client timeout of one attempt; default <see cref="ServerTimeout"/> + 15 s, as LogsQueryClient does.</summary>
        public TimeSpan? NetworkTimeout { get; set; }

        /// <summary>Ask Log Analytics for query statistics (Prefer: include-statistics=true); logged verbosely.</summary>
        public bool IncludeStatistics { get; set; } = true;

        /// <summary>Azure.Core RetryOptions: 3 retries, exponential from 0.8 s up to 1 min, Retry-After honoured.</summary>
        public int MaxRetries { get; set; } = 3;
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(0.8);
        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

        /// <summary>
        /// A response body larger than this is abandoned and the window split (Log Analytics truncates near 64 MB
        /// compressed / ~100 MB raw and says PartialError; this guards memory when it does not).
        /// </summary>
        public long MaxResponseBytes { get; set; } = 256L * 1024 * 1024;

        /// <summary>Another HTTP transport (a proxy-aware HttpClient); null for Azure.Core's default.</summary>
        public HttpPipelineTransport? Transport { get; set; }

        internal TimeSpan EffectiveNetworkTimeout => NetworkTimeout ?? ServerTimeout + TimeSpan.FromSeconds(15);

        internal void Validate()
        {
            if (ServerTimeout < TimeSpan.FromSeconds(1) || ServerTimeout > MaxServerTimeout)
                throw new ArgumentOutOfRangeException(nameof(ServerTimeout), ServerTimeout,
                    "The server timeout must be between 1 second and 10 minutes (the Log Analytics maximum).");
            if (EffectiveNetworkTimeout <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(NetworkTimeout), NetworkTimeout, "The network timeout must be positive.");
            if (MaxRetries < 0) throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "Retries cannot be negative.");
            if (RetryDelay < TimeSpan.Zero || MaxRetryDelay < TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "Retry delays cannot be negative.");
            if (MaxResponseBytes <= 0) throw new ArgumentOutOfRangeException(nameof(MaxResponseBytes), MaxResponseBytes, "Must be positive.");
        }
    }
}
