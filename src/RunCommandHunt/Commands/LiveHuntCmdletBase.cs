using System;
using System.Management.Automation;
using System.Security;
using RunCommandHunt.Completion;

namespace RunCommandHunt.Commands
{
    /// <summary>
    /// The parameters of a live hunt shared by the cmdlets that query Log Analytics or Defender XDR: the time range and
    /// how to sign in. Engine types stay inside <see cref="LiveConnection"/>, never in a parameter.
    /// </summary>
    public abstract class LiveHuntCmdletBase : HuntCmdletBase
    {
        protected const string LiveSet = "Live";

        /// <summary>Start of the hunt (UTC; default: one day before -EndTime, the analytic rule's P1D).</summary>
        [Parameter(ParameterSetName = LiveSet)]
        [TimePresetTransformation]
        [ArgumentCompleter(typeof(TimePresetCompleter))]
        public DateTime? StartTime { get; set; }

        /// <summary>End of the hunt (UTC; default: now).</summary>
        [Parameter(ParameterSetName = LiveSet)]
        [TimePresetTransformation]
        [ArgumentCompleter(typeof(TimePresetCompleter))]
        public DateTime? EndTime { get; set; }

        /// <summary>Directory (tenant) id to sign in to.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public string? TenantId { get; set; }

        /// <summary>Application (client) id of a service principal, or of a user-assigned managed identity.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public string? ClientId { get; set; }

        /// <summary>Client secret of the service principal (-ClientId, -TenantId).</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public SecureString? ClientSecret { get; set; }

        /// <summary>Thumbprint of the service principal's certificate in the CurrentUser or LocalMachine store.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public string? CertificateThumbprint { get; set; }

        /// <summary>A PFX file holding the service principal's certificate.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public string? CertificatePath { get; set; }

        /// <summary>Password of the PFX file.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public SecureString? CertificatePassword { get; set; }

        /// <summary>Sign in with the managed identity (system-assigned, or user-assigned with -ClientId): Automation runbooks, Azure VMs.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public SwitchParameter ManagedIdentity { get; set; }

        /// <summary>Sign in with a device code (headless consoles); the code is shown as a warning.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public SwitchParameter DeviceCode { get; set; }

        /// <summary>Sign in interactively in a browser.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public SwitchParameter Interactive { get; set; }

        /// <summary>A ready access token for the service: a string, or the SecureString that Get-AzAccessToken returns (Az.Accounts 5+).</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public object? AccessToken { get; set; }

        /// <summary>The Azure cloud: AzurePublic, AzureUSGovernment or AzureChina.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public AzureEnvironment Environment { get; set; } = AzureEnvironment.AzurePublic;

        /// <summary>Another endpoint for the query API (a proxy, a private link, a test server). Plain http only to loopback.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        public Uri? Endpoint { get; set; }

        /// <summary>How long the service may run one query (Prefer: wait), 1 to 600 seconds.</summary>
        [Parameter(ParameterSetName = LiveSet)]
        [ValidateRange(1, 600)]
        public int ServerTimeoutSeconds { get; set; } = 180;

        /// <summary>The hunt's [start, end) range in UTC.</summary>
        protected (DateTime Start, DateTime End) HuntRange()
        {
            var end = (EndTime ?? DateTime.UtcNow).ToUniversalTime();
            var start = (StartTime ?? end.AddDays(-1)).ToUniversalTime();
            if (start >= end)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-StartTime {start:o} is not before -EndTime {end:o}."),
                    "RunCommandHuntInvalidTimeRange", ErrorCategory.InvalidArgument, StartTime));
            return (start, end);
        }

        /// <summary>The engine's view of these parameters; built in method bodies only.</summary>
        internal LiveConnection Connect() => new LiveConnection(this);
    }
}
