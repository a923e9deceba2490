using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace RunCommandHunt.Commands
{
    internal static class EvidenceFiles
    {
        /// <summary>-Path values relative to PowerShell's current location, wildcards left for the engine to expand.</summary>
        public static List<string> Absolute(PSCmdlet cmdlet, IEnumerable<string> paths) =>
            paths.Select(p => cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToList();
    }
}
