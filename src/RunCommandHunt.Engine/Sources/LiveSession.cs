using System;
using Azure.Core;
using RunCommandHunt.Engine.Diagnostics;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>
    /// One sign-in shared by the live sources a command opens. Keeps Azure.Core inside the engine, so the cmdlet
    /// assembly names no Azure type and needs none of the module's isolated assemblies itself.
    /// </summary>
    public sealed class LiveSession
    {
        private readonly LiveAuthOptions _auth;
        private readonly LiveClientOptions _client;
        private readonly IHuntLog _log;
        private TokenCredential? _credential;

        public LiveSession(LiveAuthOptions auth, LiveClientOptions client, IHuntLog log)
        {
            _auth = auth ?? throw new ArgumentNullException(nameof(auth));
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _log = log ?? NullHuntLog.Instance;
        }

        private TokenCredential Credential => _credential ??= LiveCredentialFactory.Create(_auth, _log);

        public LiveEvidenceSource LogAnalytics(Guid workspaceId) =>
            new LiveEvidenceSource(new LogAnalyticsQueryClient(workspaceId.ToString("D"), Credential, _client, _log), null, _log);

        public LiveEvidenceSource DefenderXdr() =>
            new LiveEvidenceSource(new DefenderHuntingQueryClient(Credential, _client, _log), null, _log);

        /// <summary>Names the method and ids, never a secret.</summary>
        public override string ToString() => _auth.ToString();
    }
}
