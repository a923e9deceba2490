using System;

namespace RunCommandHunt
{
    /// <summary>A script that a Run Command operation wrote on a machine, linked to the commands it ran.</summary>
    public sealed class RunCommandScriptExecution
    {
        public DateTime StartTime { get; set; }
        public DateTime EndTime { get; set; }
        public DateTime PowershellFileCreatedTimestamp { get; set; }
        public DateTime PowershellExecStart { get; set; }
        /// <summary>The analytic rule's name for <see cref="PowershellExecStart"/>; the same value.</summary>
        public DateTime PowershellExecStartTime { get => PowershellExecStart; set => PowershellExecStart = value; }
        public DateTime PowershellExecEnd { get; set; }
        public string PowershellFileName { get; set; } = "";
        public string[] PowershellScriptCommands { get; set; } = Array.Empty<string>();
        public string Caller { get; set; } = "";
        public string CallerIpAddress { get; set; } = "";
        public string InitiatingProcessCommandLine { get; set; } = "";
        public long? PowershellFileSize { get; set; }
        public string VirtualMachineName { get; set; } = "";
        public string Scope { get; set; } = "";
        public string ScriptFingerprintHash { get; set; } = "";
        public string CorrelationId { get; set; } = "";
        public string Subscription { get; set; } = "";
        /// <summary>MDE DeviceName of the machine the script file was written on.</summary>
        public string DeviceName { get; set; } = "";
        public long? InitiatingProcessId { get; set; }
        public string InitiatingProcessAccountName { get; set; } = "";
        public string InitiatingProcessAccountDomain { get; set; } = "";
        public string InitiatingProcessFolderPath { get; set; } = "";
        /// <summary>Full script text where MDE recorded it (Linux ScriptContent); empty otherwise.</summary>
        public string ScriptContent { get; set; } = "";
        public string OperationKind { get; set; } = "";
        public CompatibilityMode Compatibility { get; set; }

        /// <summary>Number of commands; a column the default view shows.</summary>
        public int CommandCount => PowershellScriptCommands?.Length ?? 0;

        public override string ToString() => $"{StartTime:o} {VirtualMachineName} {PowershellFileName} {ScriptFingerprintHash}";
    }
}
