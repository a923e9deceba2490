using System;
using System.Security;
using Azure.Core;
using RunCommandHunt.Engine.Sources;

namespace RunCommandHunt.Commands
{
    /// <summary>Live-hunt parameters -> the engine's credential, clients and evidence source.</summary>
    internal sealed class LiveConnection
    {
        private readonly LiveHuntCmdletBase _cmdlet;
        private readonly EngineLog _log;
        private TokenCredential? _credential;

        public LiveConnection(LiveHuntCmdletBase cmdlet)
        {
            _cmdlet = cmdlet;
            _log = new EngineLog(cmdlet.Log);
        }

        public LiveAuthOptions AuthOptions()
        {
            var c = _cmdlet;
            var o = new LiveAuthOptions
            {
                Cloud = (AzureCloud)(int)c.Environment,
                TenantId = c.TenantId,
                ClientId = c.ClientId,
                ClientSecret = c.ClientSecret,
                CertificateThumbprint = c.CertificateThumbprint,
                CertificatePath = c.CertificatePath,
                CertificatePassword = c.CertificatePassword,
            };
            var token = c.AccessToken is System.Management.Automation.PSObject p ? p.BaseObject : c.AccessToken;
            if (token is SecureString secure) { o.AccessToken = secure; o.Method = LiveAuthMethod.AccessToken; }
            else if (token is string text) { o.SetAccessToken(text); o.Method = LiveAuthMethod.AccessToken; }
            else if (token != null)
                throw new ArgumentException("-AccessToken takes a string or a SecureString (Get-AzAccessToken's Token).");
            else if (c.ClientSecret != null) o.Method = LiveAuthMethod.ClientSecret;
            else if (c.CertificateThumbprint != null || c.CertificatePath != null) o.Method = LiveAuthMethod.ClientCertificate;
            else if (c.ManagedIdentity) o.Method = LiveAuthMethod.ManagedIdentity;
            else if (c.DeviceCode) o.Method = LiveAuthMethod.DeviceCode;
            else if (c.Interactive) o.Method = LiveAuthMethod.InteractiveBrowser;
            else o.Method = LiveAuthMethod.Default;
            return o;
        }

        private TokenCredential Credential() => _credential ??= LiveCredentialFactory.Create(AuthOptions(), _log);

        private LiveClientOptions ClientOptions() => new LiveClientOptions
        {
            Cloud = (AzureCloud)(int)_cmdlet.Environment,
            Endpoint = _cmdlet.Endpoint,
            ServerTimeout = TimeSpan.FromSeconds(_cmdlet.ServerTimeoutSeconds),
        };

        public LiveEvidenceSource LogAnalytics(Guid workspaceId)
        {
            _cmdlet.WriteVerbose($"Log Analytics workspace {workspaceId}, signing in with {AuthOptions()}.");
            return new LiveEvidenceSource(new LogAnalyticsQueryClient(workspaceId.ToString("D"), Credential(), ClientOptions(), _log), null, _log);
        }

        public LiveEvidenceSource DefenderXdr()
        {
            _cmdlet.WriteVerbose($"Defender XDR advanced hunting (Microsoft Graph), signing in with {AuthOptions()}.");
            return new LiveEvidenceSource(new DefenderHuntingQueryClient(Credential(), ClientOptions(), _log), null, _log);
        }
    }
}
