using System;
using Azure.Identity;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>The Azure clouds a hunt can run in.</summary>
    public enum AzureCloud
    {
        AzurePublic,
        AzureUSGovernment,
        AzureChina,
    }

    /// <summary>Sign-in authority, Log Analytics and Microsoft Graph endpoints of one cloud.</summary>
    public sealed class AzureCloudEndpoints
    {
        private AzureCloudEndpoints(AzureCloud cloud, Uri authorityHost, Uri logAnalytics, Uri graph)
        {
            Cloud = cloud;
            AuthorityHost = authorityHost;
            LogAnalyticsEndpoint = logAnalytics;
            GraphEndpoint = graph;
        }

        public AzureCloud Cloud { get; }
        public Uri AuthorityHost { get; }
        /// <summary>Query endpoint and token audience of Log Analytics (LogsQueryAudience in Azure.Monitor.Query).</summary>
        public Uri LogAnalyticsEndpoint { get; }
        public Uri GraphEndpoint { get; }

        /// <summary>Token scope for Log Analytics: "{audience}/.default".</summary>
        public string LogAnalyticsScope => ScopeFor(LogAnalyticsEndpoint);
        /// <summary>Token scope for Graph: "{graph}/.default".</summary>
        public string GraphScope => ScopeFor(GraphEndpoint);

        public static AzureCloudEndpoints For(AzureCloud cloud)
        {
            switch (cloud)
            {
                case AzureCloud.AzurePublic:
                    return new AzureCloudEndpoints(cloud, AzureAuthorityHosts.AzurePublicCloud,
                        new Uri("https://api.loganalytics.io"), new Uri("https://graph.microsoft.com"));
                case AzureCloud.AzureUSGovernment:
                    return new AzureCloudEndpoints(cloud, AzureAuthorityHosts.AzureGovernment,
                        new Uri("https://api.loganalytics.us"), new Uri("https://graph.microsoft.us"));
                case AzureCloud.AzureChina:
                    return new AzureCloudEndpoints(cloud, AzureAuthorityHosts.AzureChina,
                        new Uri("https://api.loganalytics.azure.cn"), new Uri("https://microsoftgraph.chinacloudapi.cn"));
                default:
                    throw new ArgumentOutOfRangeException(nameof(cloud), cloud, "Unknown Azure cloud.");
            }
        }

        /// <summary>"{scheme}://{host}/.default" of an audience URI.</summary>
        public static string ScopeFor(Uri audience) => audience.GetLeftPart(UriPartial.Authority) + "/.default";
    }
}
