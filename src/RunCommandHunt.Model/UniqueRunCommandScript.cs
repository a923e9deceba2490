using System;

namespace RunCommandHunt
{
    /// <summary>A script execution whose fingerprint is rare: the analytic rule's result row.</summary>
    public sealed class UniqueRunCommandScript
    {
        /// <summary>The rule's alert time column (= StartTime).</summary>
        public DateTime timestamp { get; set; }
        public DateTime StartTime { get; set; }
        public DateTime EndTime { get; set; }
        public string PowershellFileName { get; set; } = "";
        public string VirtualMachineName { get; set; } = "";
        public string Caller { get; set; } = "";
        public string CallerName { get; set; } = "";
        public string CallerUPNSuffix { get; set; } = "";
        public string CallerIpAddress { get; set; } = "";
        public string[] PowershellScriptCommands { get; set; } = Array.Empty<string>();
        public long? PowershellFileSize { get; set; }
        public string ScriptFingerprintHash { get; set; } = "";
        public double Prevalence { get; set; }
        public string Scope { get; set; } = "";
        /// <summary>How many executions carried this fingerprint.</summary>
        public long HashCount { get; set; }
        public FingerprintKind Fingerprint { get; set; }
        public string CorrelationId { get; set; } = "";
        public string Subscription { get; set; } = "";
        public string DeviceName { get; set; } = "";
        public DateTime PowershellFileCreatedTimestamp { get; set; }
        public DateTime PowershellExecStart { get; set; }
        public DateTime PowershellExecEnd { get; set; }
        public string InitiatingProcessCommandLine { get; set; } = "";
        public string OperationKind { get; set; } = "";
        public CompatibilityMode Compatibility { get; set; }

        public int CommandCount => PowershellScriptCommands?.Length ?? 0;

        public override string ToString() => $"{StartTime:o} {VirtualMachineName} {PowershellFileName} {ScriptFingerprintHash}";
    }
}
