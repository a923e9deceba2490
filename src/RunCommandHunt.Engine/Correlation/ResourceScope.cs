using System;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>The parts of an ARM resource ID that a responder needs, read by segment name in any casing.</summary>
    public readonly struct ResourceScope
    {
        private ResourceScope(string subscription, string resourceGroup, string machineName)
        {
            Subscription = subscription; ResourceGroup = resourceGroup; MachineName = machineName;
        }

        public string Subscription { get; }
        public string ResourceGroup { get; }
        /// <summary>The VM (or Arc machine) name; for a scale-set instance "scaleSet_instanceId", ARM's own VM name.</summary>
        public string MachineName { get; }

        public static ResourceScope Parse(string scope)
        {
            var parts = scope.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
            string sub = "", rg = "", machine = "", scaleSet = "";
            for (int i = 0; i + 1 < parts.Length; i++)
            {
                var seg = parts[i];
                var next = parts[i + 1];
                if (seg.Equals("subscriptions", StringComparison.OrdinalIgnoreCase) && sub.Length == 0) sub = next;
                else if (seg.Equals("resourceGroups", StringComparison.OrdinalIgnoreCase) && rg.Length == 0) rg = next;
                else if (seg.Equals("virtualMachineScaleSets", StringComparison.OrdinalIgnoreCase)) scaleSet = next;
                else if (seg.Equals("virtualMachines", StringComparison.OrdinalIgnoreCase) || seg.Equals("machines", StringComparison.OrdinalIgnoreCase))
                    machine = scaleSet.Length > 0 ? scaleSet + "_" + next : next;
            }
            return new ResourceScope(sub, rg, machine);
        }
    }
}
