using System;
using System.Globalization;
using System.Net;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;
using RunCommandHunt.Engine.Diagnostics;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>How the hunt signs in.</summary>
    public enum LiveAuthMethod
    {
        /// <summary>DefaultAzureCredential: environment, workload identity, managed identity, Azure CLI, Azure PowerShell...</summary>
        Default,
        InteractiveBrowser,
        /// <summary>Device code flow; the code and URL are written as a warning.</summary>
        DeviceCode,
        /// <summary>System-assigned, or user-assigned when <see cref="LiveAuthOptions.ClientId"/> is set.</summary>
        ManagedIdentity,
        ClientSecret,
        /// <summary>A certificate from the store (thumbprint) or a PFX file (path and password).</summary>
        ClientCertificate,
        /// <summary>A token obtained elsewhere (Get-AzAccessToken); used as is until it expires.</summary>
        AccessToken,
    }

    /// <summary>Sign-in settings. Secrets are SecureString and are unwrapped only when a token is requested.</summary>
    public sealed class LiveAuthOptions
    {
        public LiveAuthMethod Method { get; set; } = LiveAuthMethod.Default;
        public AzureCloud Cloud { get; set; } = AzureCloud.AzurePublic;
        public string? TenantId { get; set; }
        /// <summary>Application (client) id; for ManagedIdentity the user-assigned identity's client id.</summary>
        public string? ClientId { get; set; }
        public SecureString? ClientSecret { get; set; }
        public string? CertificateThumbprint { get; set; }
        /// <summary>Store to search for the thumbprint; null searches CurrentUser then LocalMachine.</summary>
        public StoreLocation? CertificateStoreLocation { get; set; }
        public string? CertificatePath { get; set; }
        public SecureString? CertificatePassword { get; set; }
        public SecureString? AccessToken { get; set; }

        /// <summary>Sets <see cref="AccessToken"/> from plain text (Az.Accounts before 5.0 returns a string).</summary>
        public void SetAccessToken(string token) => AccessToken = Secure(token);

        /// <summary>A read-only SecureString holding <paramref name="value"/>.</summary>
        public static SecureString Secure(string value)
        {
            if (value == null) throw new ArgumentNullException(nameof(value));
            var s = new SecureString();
            foreach (char c in value) s.AppendChar(c);
            s.MakeReadOnly();
            return s;
        }

        /// <summary>Names the method and ids, never a secret.</summary>
        public override string ToString() =>
            $"{Method} ({Cloud}" + (TenantId != null ? ", tenant " + TenantId : "") + (ClientId != null ? ", client " + ClientId : "") + ")";
    }

    /// <summary>Turns <see cref="LiveAuthOptions"/> into an Azure.Identity TokenCredential.</summary>
    public static class LiveCredentialFactory
    {
        public static TokenCredential Create(LiveAuthOptions options, IHuntLog? log = null)
        {
            if (options == null) throw new ArgumentNullException(nameof(options));
            log ??= NullHuntLog.Instance;
            var authority = AzureCloudEndpoints.For(options.Cloud).AuthorityHost;
            switch (options.Method)
            {
                case LiveAuthMethod.Default:
                    var d = new DefaultAzureCredentialOptions { AuthorityHost = authority };
                    if (!string.IsNullOrEmpty(options.TenantId)) d.TenantId = options.TenantId;
                    if (!string.IsNullOrEmpty(options.ClientId)) d.ManagedIdentityClientId = options.ClientId;
                    return new DefaultAzureCredential(d);

                case LiveAuthMethod.InteractiveBrowser:
                    var ib = new InteractiveBrowserCredentialOptions { AuthorityHost = authority };
                    if (!string.IsNullOrEmpty(options.TenantId)) ib.TenantId = options.TenantId;
                    if (!string.IsNullOrEmpty(options.ClientId)) ib.ClientId = options.ClientId;
                    return new InteractiveBrowserCredential(ib);

                case LiveAuthMethod.DeviceCode:
                    var dc = new DeviceCodeCredentialOptions
                    {
                        AuthorityHost = authority,
                        // The user must see the code and URL; a warning reaches the console in every host.
                        DeviceCodeCallback = (info, ct) =>
                        {
                            log.Warning(info.Message);
                            return Task.CompletedTask;
                        },
                    };
                    if (!string.IsNullOrEmpty(options.TenantId)) dc.TenantId = options.TenantId;
                    if (!string.IsNullOrEmpty(options.ClientId)) dc.ClientId = options.ClientId;
                    return new DeviceCodeCredential(dc);

                case LiveAuthMethod.ManagedIdentity:
                    var id = string.IsNullOrEmpty(options.ClientId)
                        ? ManagedIdentityId.SystemAssigned
                        : ManagedIdentityId.FromUserAssignedClientId(options.ClientId!);
                    return new ManagedIdentityCredential(new ManagedIdentityCredentialOptions(id) { AuthorityHost = authority });

                case LiveAuthMethod.ClientSecret:
                    Require(options.TenantId, "TenantId", options.Method);
                    Require(options.ClientId, "ClientId", options.Method);
                    if (options.ClientSecret == null || options.ClientSecret.Length == 0)
                        throw new ArgumentException("ClientSecret sign-in needs a client secret.", nameof(options));
                    return new DeferredClientSecretCredential(options.TenantId!, options.ClientId!, options.ClientSecret,
                        new ClientSecretCredentialOptions { AuthorityHost = authority });

                case LiveAuthMethod.ClientCertificate:
                    Require(options.TenantId, "TenantId", options.Method);
                    Require(options.ClientId, "ClientId", options.Method);
                    var certificate = LoadCertificate(options);
                    return new ClientCertificateCredential(options.TenantId!, options.ClientId!, certificate,
                        new ClientCertificateCredentialOptions { AuthorityHost = authority });

                case LiveAuthMethod.AccessToken:
                    if (options.AccessToken == null || options.AccessToken.Length == 0)
                        throw new ArgumentException("AccessToken sign-in needs a token.", nameof(options));
                    return new StaticAccessTokenCredential(options.AccessToken, log);

                default:
                    throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown sign-in method.");
            }
        }

        private static void Require(string? value, string name, LiveAuthMethod method)
        {
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"{method} sign-in needs {name}.", name);
        }

        private static X509Certificate2 LoadCertificate(LiveAuthOptions options)
        {
            if (!string.IsNullOrEmpty(options.CertificatePath))
            {
                if (!System.IO.File.Exists(options.CertificatePath))
                    throw new ArgumentException($"The certificate file '{options.CertificatePath}' does not exist.", nameof(options.CertificatePath));
                try
                {
                    // The SecureString overload: the password never becomes a managed string here.
                    return options.CertificatePassword != null
                        ? new X509Certificate2(options.CertificatePath!, options.CertificatePassword, X509KeyStorageFlags.DefaultKeySet)
                        : new X509Certificate2(options.CertificatePath!);
                }
                catch (System.Security.Cryptography.CryptographicException ex)
                {
                    throw new ArgumentException(
                        $"The certificate file '{options.CertificatePath}' could not be opened (wrong password, or not a PFX with a private key): {ex.Message}",
                        nameof(options.CertificatePath));
                }
            }
            if (string.IsNullOrWhiteSpace(options.CertificateThumbprint))
                throw new ArgumentException("ClientCertificate sign-in needs CertificateThumbprint or CertificatePath.", nameof(options));

            var thumbprint = options.CertificateThumbprint!.Replace(" ", "").Replace(":", "").ToUpperInvariant();
            var locations = options.CertificateStoreLocation.HasValue
                ? new[] { options.CertificateStoreLocation.Value }
                : new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine };
            foreach (var location in locations)
            {
                using (var store = new X509Store(StoreName.My, location))
                {
                    try
                    {
                        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                    }
                    catch (System.Security.Cryptography.CryptographicException)
                    {
                        continue; // that store does not exist on this platform
                    }
                    var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
                    if (found.Count > 0)
                    {
                        var cert = found[0];
                        if (!cert.HasPrivateKey)
                            throw new ArgumentException($"The certificate {thumbprint} in {location}\\My has no private key.", nameof(options.CertificateThumbprint));
                        return cert;
                    }
                }
            }
            throw new ArgumentException(
                $"No certificate with thumbprint {thumbprint} in {string.Join(" or ", locations)}\\My.", nameof(options.CertificateThumbprint));
        }
    }

    /// <summary>
    /// ClientSecretCredential needs the secret as a string; this one keeps the SecureString and unwraps it only when
    /// the first token is requested, then lets Azure.Identity cache tokens as usual.
    /// </summary>
    internal sealed class DeferredClientSecretCredential : TokenCredential
    {
        private readonly string _tenantId;
        private readonly string _clientId;
        private readonly SecureString _secret;
        private readonly ClientSecretCredentialOptions _options;
        private readonly object _gate = new object();
        private ClientSecretCredential? _inner;

        public DeferredClientSecretCredential(string tenantId, string clientId, SecureString secret, ClientSecretCredentialOptions options)
        {
            _tenantId = tenantId;
            _clientId = clientId;
            _secret = secret.Copy();
            _secret.MakeReadOnly();
            _options = options;
        }

        private ClientSecretCredential Inner
        {
            get
            {
                lock (_gate)
                {
                    return _inner ??= new ClientSecretCredential(_tenantId, _clientId, new NetworkCredential(string.Empty, _secret).Password, _options);
                }
            }
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            Inner.GetToken(requestContext, cancellationToken);

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            Inner.GetTokenAsync(requestContext, cancellationToken);

        public override string ToString() => $"ClientSecret (tenant {_tenantId}, client {_clientId})";
    }

    /// <summary>
    /// A token obtained elsewhere, as a TokenCredential. Its expiry and audience are read from the JWT when it is one;
    /// a token for another resource is reported (without its content) before the service refuses it.
    /// </summary>
    public sealed class StaticAccessTokenCredential : TokenCredential
    {
        private readonly SecureString _token;
        private readonly IHuntLog _log;
        private int _audienceWarned;

        public StaticAccessTokenCredential(SecureString token, IHuntLog? log = null)
        {
            if (token == null) throw new ArgumentNullException(nameof(token));
            _token = token.Copy();
            _token.MakeReadOnly();
            _log = log ?? NullHuntLog.Instance;
        }

        public StaticAccessTokenCredential(string token, IHuntLog? log = null)
            : this(LiveAuthOptions.Secure(token ?? throw new ArgumentNullException(nameof(token))), log)
        {
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var text = new NetworkCredential(string.Empty, _token).Password;
            var claims = JwtClaims.TryRead(text);
            var expires = claims.Expires ?? DateTimeOffset.UtcNow.AddHours(1);
            if (expires <= DateTimeOffset.UtcNow)
                throw new CredentialUnavailableException(
                    $"The access token expired at {expires.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}; get a new one (Get-AzAccessToken).");
            if (claims.Audience != null && requestContext.Scopes.Length > 0 && Interlocked.Exchange(ref _audienceWarned, 1) == 0)
            {
                var wanted = requestContext.Scopes[0];
                if (wanted.EndsWith("/.default", StringComparison.OrdinalIgnoreCase)) wanted = wanted.Substring(0, wanted.Length - "/.default".Length);
                if (!string.Equals(claims.Audience.TrimEnd('/'), wanted.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
                    _log.Warning($"The access token was issued for '{claims.Audience}', but this query needs a token for '{wanted}' (Get-AzAccessToken -ResourceUrl {wanted}).");
            }
            return new AccessToken(text, expires);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new ValueTask<AccessToken>(GetToken(requestContext, cancellationToken));

        public override string ToString() => "StaticAccessTokenCredential";
    }

    /// <summary>The exp and aud claims of a JWT, read without validating it (the service validates).</summary>
    internal readonly struct JwtClaims
    {
        public JwtClaims(DateTimeOffset? expires, string? audience) { Expires = expires; Audience = audience; }
        public DateTimeOffset? Expires { get; }
        public string? Audience { get; }

        public static JwtClaims TryRead(string token)
        {
            var parts = token.Split('.');
            if (parts.Length != 3) return default;
            try
            {
                var payload = parts[1].Replace('-', '+').Replace('_', '/');
                payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
                using (var doc = JsonDocument.Parse(Convert.FromBase64String(payload)))
                {
                    DateTimeOffset? exp = null;
                    string? aud = null;
                    if (doc.RootElement.ValueKind != JsonValueKind.Object) return default;
                    if (doc.RootElement.TryGetProperty("exp", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var secs))
                        exp = DateTimeOffset.FromUnixTimeSeconds(secs);
                    if (doc.RootElement.TryGetProperty("aud", out var a) && a.ValueKind == JsonValueKind.String)
                        aud = a.GetString();
                    return new JwtClaims(exp, aud);
                }
            }
            catch (FormatException) { return default; }
            catch (JsonException) { return default; }
            catch (ArgumentException) { return default; }
        }
    }
}
