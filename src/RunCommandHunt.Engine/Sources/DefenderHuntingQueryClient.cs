using System;
using System.Collections.Generic;
using System.Threading;
using Azure.Core;
using RunCommandHunt.Engine.Diagnostics;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>
    /// Defender XDR advanced hunting through Microsoft Graph: POST {graph}/v1.0/security/runHuntingQuery with
    /// {"Query","Timespan"}; the answer is {"schema":[...],"results":[{...}]}. MDE tables carry Timestamp, AdditionalFields
    /// is text; at most 100,000 rows and the last 30 days.
    /// </summary>
    public sealed class DefenderHuntingQueryClient : ILogsQueryClient
    {
        public const int DefaultServiceRowLimit = 100_000;

        /// <summary>Advanced hunting holds the last 30 days.</summary>
        public static readonly TimeSpan Reach = TimeSpan.FromDays(30);

        private readonly LiveHttpCore _core;
        private readonly Func<DateTime> _utcNow;

        public DefenderHuntingQueryClient(TokenCredential credential, LiveClientOptions? options = null, IHuntLog? log = null)
            : this(credential, options, log, null)
        {
        }

        /// <param name="utcNow">The clock for the 30-day check (tests).</param>
        public DefenderHuntingQueryClient(TokenCredential credential, LiveClientOptions? options, IHuntLog? log, Func<DateTime>? utcNow)
        {
            options ??= new LiveClientOptions();
            var cloud = AzureCloudEndpoints.For(options.Cloud);
            var endpoint = options.Endpoint ?? cloud.GraphEndpoint;
            Endpoint = endpoint;
            Scope = options.Scope ?? cloud.GraphScope;
            _utcNow = utcNow ?? (() => DateTime.UtcNow);
            var uri = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/v1.0/security/runHuntingQuery");
            _core = new LiveHttpCore("Defender XDR advanced hunting", credential, Scope, uri, options, log ?? NullHuntLog.Instance, Hint);
        }

        public Uri Endpoint { get; }
        public string Scope { get; }

        public LiveSourceKind Kind => LiveSourceKind.DefenderXdr;
        public string Target => _core.Target;
        public int ServiceRowLimit => DefaultServiceRowLimit;

        /// <summary>Refuses a start older than 30 days: the service would answer, silently without the older rows.</summary>
        public void ValidateWindow(QueryWindow window)
        {
            var oldest = _utcNow() - Reach;
            if (window.Start < oldest)
                throw new LiveQueryException(LiveQueryFailure.OutOfRange, Target,
                    $"the window starts {QueryWindow.Format(window.Start)}, before {QueryWindow.Format(oldest)}: advanced hunting holds only the last 30 days",
                    window,
                    hint: "Start the hunt within the last 30 days, or hunt the Sentinel workspace (-WorkspaceId), which keeps its own retention");
        }

        public LiveQueryResult Query(string query, QueryWindow window, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(query)) throw new ArgumentException("The query text is empty.", nameof(query));
            ValidateWindow(window);
            var parsed = _core.Post(Body(query, window), Array.Empty<KeyValuePair<string, string>>(), window,
                GraphHuntingResponseReader.Read, cancellationToken, out long bytes);
            return LiveResults.From(_core, parsed, query, window, bytes);
        }

        internal static byte[] Body(string query, QueryWindow window) => LiveHttpCore.QueryBody("Query", query, "Timespan", window);

        private static string? Hint(int status, LiveServiceError? error)
        {
            switch (status)
            {
                case 400:
                    return "The query text was rejected; advanced hunting names the time column Timestamp and has no AzureActivity unless Sentinel is connected to the Defender portal";
                case 401:
                    return "Sign in again or check the tenant";
                case 403:
                    return "The identity needs the Microsoft Graph permission ThreatHunting.Read.All (application, or delegated with a Defender role that may run advanced hunting)";
                case 404:
                    return "Check the Graph endpoint and cloud (-Environment)";
                case 429:
                    return "Advanced hunting quotas (about 45 calls a minute and a CPU budget per 15 minutes) are used up; wait and run again";
                case 408:
                case 504:
                    return "Advanced hunting stops a query after 3 minutes; hunt a shorter time range";
                default:
                    return status >= 500 ? "The service had a problem; try again later" : null;
            }
        }
    }
}
