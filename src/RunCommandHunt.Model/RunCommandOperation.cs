using System;

namespace RunCommandHunt
{
    /// <summary>One Run Command operation from AzureActivity: the Started/Accepted/Succeeded events of one CorrelationId.</summary>
    public sealed class RunCommandOperation
    {
        public DateTime StartTime { get; set; }
        public DateTime EndTime { get; set; }
        public string Subscription { get; set; } = "";
        public string ResourceGroup { get; set; } = "";
        public string VirtualMachineName { get; set; } = "";
        public string CorrelationId { get; set; } = "";
        public string Caller { get; set; } = "";
        public string CallerIpAddress { get; set; } = "";
        /// <summary>ARM resource ID of the target (Authorization.scope).</summary>
        public string Scope { get; set; } = "";
        /// <summary>Outcome: Succeeded, Failed, Rejected or InProgress.</summary>
        public string Status { get; set; } = "";
        /// <summary>Every ActivityStatusValue of the group, in time order.</summary>
        public string[] ActivityStatusValues { get; set; } = Array.Empty<string>();
        public string OperationNameValue { get; set; } = "";
        /// <summary>Which Run Command this is: VirtualMachine, ScaleSetVirtualMachine, ManagedVirtualMachine, ArcMachine...</summary>
        public string OperationKind { get; set; } = "";
        /// <summary>The raw Authorization text; part of the seeds' grouping key.</summary>
        public string Authorization { get; set; } = "";
        public CompatibilityMode Compatibility { get; set; }

        public override string ToString() => $"{StartTime:o} {VirtualMachineName} {Caller} {Status}";
    }
}
