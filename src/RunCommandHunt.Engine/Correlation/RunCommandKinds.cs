using System;
using System.Collections.Generic;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>The Run Command operations of the Azure control plane, and what kind of target each one runs on.</summary>
    public static class RunCommandKinds
    {
        /// <summary>The seeds' one operation: action Run Command on a VM.</summary>
        public const string VirtualMachineAction = "Microsoft.Compute/virtualMachines/runCommand/action";

        public const string VirtualMachine = "VirtualMachine";
        public const string ScaleSetVirtualMachine = "ScaleSetVirtualMachine";
        public const string ManagedVirtualMachine = "ManagedVirtualMachine";
        public const string ManagedScaleSetVirtualMachine = "ManagedScaleSetVirtualMachine";
        public const string ArcMachine = "ArcMachine";

        private static readonly Dictionary<string, string> KindByOperation = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [VirtualMachineAction] = VirtualMachine,
            ["Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommand/action"] = ScaleSetVirtualMachine,
            ["Microsoft.Compute/virtualMachines/runCommands/write"] = ManagedVirtualMachine,
            ["Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommands/write"] = ManagedScaleSetVirtualMachine,
            ["Microsoft.HybridCompute/machines/runCommands/write"] = ArcMachine,
        };

        /// <summary>Every Run Command operation name, in ARM's documented casing.</summary>
        public static IEnumerable<string> OperationNames => KindByOperation.Keys;

        /// <summary>The kind of a Run Command operation in any casing, or null when the operation is not a Run Command.</summary>
        public static string? KindOf(string operationNameValue) =>
            KindByOperation.TryGetValue(operationNameValue, out var kind) ? kind : null;
    }
}
