using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Azure.Core;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Kql;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>
    /// The Log Analytics query API (a Sentinel workspace): POST {endpoint}/v1/workspaces/{id}/query with
    /// {"query","timespan"} and Prefer: wait=N[,include-statistics=true], as Azure.Monitor.Query's LogsQueryClient sends it.
    /// </summary>
    public sealed class LogAnalyticsQueryClient : ILogsQueryClient
    {
        /// <summary>Log Analytics truncates a result at 500,000 records (and ~64 MB compressed) with a PartialError.</summary>
        public const int DefaultServiceRowLimit = 500_000;

        private readonly LiveHttpCore _core;
        private readonly string _prefer;

        /// <param name="workspaceId">The workspace ID (a GUID, "Workspace ID" on the workspace's overview), not its name.</param>
        public LogAnalyticsQueryClient(string workspaceId, TokenCredential credential, LiveClientOptions? options = null, IHuntLog? log = null)
        {
            WorkspaceId = KqlLiteral.NormalizeGuid(workspaceId, nameof(workspaceId));
            options ??= new LiveClientOptions();
            var cloud = AzureCloudEndpoints.For(options.Cloud);
            var endpoint = options.Endpoint ?? cloud.LogAnalyticsEndpoint;
            Endpoint = endpoint;
            Scope = options.Scope ?? cloud.LogAnalyticsScope;
            var uri = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/v1/workspaces/" + WorkspaceId + "/query");
            int wait = (int)Math.Ceiling(options.ServerTimeout.TotalSeconds);
            _prefer = "wait=" + wait.ToString(CultureInfo.InvariantCulture) + (options.IncludeStatistics ? ",include-statistics=true" : "");
            _core = new LiveHttpCore("Log Analytics workspace " + WorkspaceId, credential, Scope, uri, options, log ?? NullHuntLog.Instance, Hint);
        }

        public string WorkspaceId { get; }
        public Uri Endpoint { get; }
        /// <summary>The token scope asked for; never a token.</summary>
        public string Scope { get; }

        public LiveSourceKind Kind => LiveSourceKind.LogAnalytics;
        public string Target => _core.Target;
        public int ServiceRowLimit => DefaultServiceRowLimit;

        /// <summary>Log Analytics answers for any window; retention decides what is there.</summary>
        public void ValidateWindow(QueryWindow window) { }

        public LiveQueryResult Query(string query, QueryWindow window, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(query)) throw new ArgumentException("The query text is empty.", nameof(query));
            var body = Body(query, window);
            var headers = new[] { new KeyValuePair<string, string>("Prefer", _prefer) };
            var parsed = _core.Post(body, headers, window, LogAnalyticsResponseReader.Read, cancellationToken, out long bytes);
            return LiveResults.From(_core, parsed, query, window, bytes);
        }

        internal static byte[] Body(string query, QueryWindow window) => LiveHttpCore.QueryBody("query", query, "timespan", window);

        private static string? Hint(int status, LiveServiceError? error)
        {
            var code = error?.Code ?? "";
            var inner = error?.InnermostCode ?? "";
            switch (status)
            {
                case 400:
                    if (Has(error, "Failed to resolve table") || Has(error, "SemanticError"))
                        return "A table or column is missing in this workspace: DeviceFileEvents and DeviceEvents need the Microsoft Defender XDR connector streaming device events, AzureActivity the Azure Activity connector (or hunt Defender XDR instead)";
                    return "The query text was rejected (" + (inner.Length > 0 ? inner : code) + "); Get-RunCommandHuntQuery shows the text that was sent";
                case 401:
                    return "Sign in again or check the tenant; the token must come from the workspace's tenant";
                case 403:
                    if (string.Equals(inner, "InvalidAuthenticationTokenAudience", StringComparison.OrdinalIgnoreCase)
                        || string.Equals(code, "InvalidAuthenticationTokenAudience", StringComparison.OrdinalIgnoreCase))
                        return "The token was issued for another resource: it must be for https://api.loganalytics.io (scope https://api.loganalytics.io/.default, or the cloud's equivalent)";
                    if (string.Equals(code, "InvalidAuthenticationToken", StringComparison.OrdinalIgnoreCase))
                        return "The token is not valid for this workspace's tenant; sign in to the right tenant";
                    return "The identity needs the Log Analytics Reader role (Microsoft.OperationalInsights/workspaces/query/read) on the workspace, or Microsoft Sentinel Reader";
                case 404:
                    return "Check the workspace ID: it is the GUID shown as 'Workspace ID' on the workspace's overview, not its name or resource ID, and the cloud (-Environment) must match";
                case 429:
                    return "Log Analytics allows 200 requests per 30 s and 5 concurrent queries per user; wait and run again, or use larger chunks";
                case 408:
                case 504:
                    return "Raise the server timeout (at most 600 s) or hunt a shorter time range";
                default:
                    return status >= 500 ? "The service had a problem; try again later" : null;
            }
        }

        private static bool Has(LiveServiceError? error, string text)
        {
            if (error == null) return false;
            foreach (var t in error.AllText())
                if (t.IndexOf(text, StringComparison.OrdinalIgnoreCase) >= 0) return true;
            return false;
        }
    }

    internal static class LiveResults
    {
        public static LiveQueryResult From(LiveHttpCore core, ParsedResponse parsed, string query, QueryWindow window, long bytes)
        {
            var error = core.ScrubOrNull(parsed.Error);
            var table = parsed.Primary;
            if (table == null && error == null && !parsed.SawTables)
                throw new LiveQueryException(LiveQueryFailure.MalformedResponse, core.Target,
                    "the answer has neither tables nor an error", window, 200);
            return new LiveQueryResult(window, query, table?.Name ?? "",
                table?.Columns ?? new List<LiveColumn>(), (IReadOnlyList<string?[]>?)table?.Rows ?? Array.Empty<string?[]>(),
                error, parsed.Statistics, bytes);
        }
    }
}
