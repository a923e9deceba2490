using System;
using System.Security;
using RunCommandHunt.Engine.Sources;

namespace RunCommandHunt.Commands
{
    /// <summary>Live-hunt parameters -> the engine's sign-in and evidence sources.</summary>
    internal sealed class LiveConnection
    {
        private readonly LiveHuntCmdletBase _cmdlet;
        private readonly LiveSession _session;

        public LiveConnection(LiveHuntCmdletBase cmdlet)
        {
            _cmdlet = cmdlet;
            _session = new LiveSession(AuthOptions(cmdlet), new LiveClientOptions
            {
                Cloud = (AzureCloud)(int)cmdlet.Environment,
                Endpoint = cmdlet.Endpoint,
                ServerTimeout = TimeSpan.FromSeconds(cmdlet.ServerTimeoutSeconds),
            }, new EngineLog(cmdlet.Log));
        }

        private static LiveAuthOptions AuthOptions(LiveHuntCmdletBase c)
        {
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

        public LiveEvidenceSource LogAnalytics(Guid workspaceId)
        {
            _cmdlet.WriteVerbose($"Log Analytics workspace {workspaceId}, signing in with {_session}.");
            return _session.LogAnalytics(workspaceId);
        }

        public LiveEvidenceSource DefenderXdr()
        {
            _cmdlet.WriteVerbose($"Defender XDR advanced hunting (Microsoft Graph), signing in with {_session}.");
            return _session.DefenderXdr();
        }
    }
}
