using System;
using System.Collections.Generic;
using System.Linq;
using RunCommandHunt.Engine.Model;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// AzureActivity rows -> Run Command operations (through an <see cref="OperationFold"/>). The seed modes follow the
    /// seeds' first block step for step; the default groups by CorrelationId, knows every Run Command kind and both
    /// status vocabularies.
    /// </summary>
    public static class OperationBuilder
    {
        /// <summary>Would this row take part in the operation stage at all? (Used by readers to count and drop noise.)</summary>
        public static bool IsRelevant(AzureActivityRecord row, CompatibilityMode mode)
        {
            switch (mode)
            {
                case CompatibilityMode.HuntingQuery:
                    // where OperationNameValue == "..." (case-sensitive) | where Authorization has "virtualMachines"
                    return string.Equals(row.OperationNameValue, RunCommandKinds.VirtualMachineAction, StringComparison.Ordinal)
                        && KustoSemantics.Has(row.Authorization, "virtualMachines");
                case CompatibilityMode.AnalyticRule:
                    // where OperationNameValue =~ "..." | where Authorization has "virtualMachines"
                    return string.Equals(row.OperationNameValue, RunCommandKinds.VirtualMachineAction, StringComparison.OrdinalIgnoreCase)
                        && KustoSemantics.Has(row.Authorization, "virtualMachines");
                default:
                    return RunCommandKinds.KindOf(row.OperationNameValue) != null;
            }
        }

        public static IEnumerable<RunCommandOperation> Build(IEnumerable<AzureActivityRecord> rows, CompatibilityMode mode, bool includeFailed = false)
        {
            var fold = new OperationFold(mode, includeFailed);
            foreach (var row in rows) fold.Add(row);
            return fold.Build();
        }

        /// <summary>
        /// The outcome of an operation from its status events, in both vocabularies (Succeeded/Success,
        /// Failed/Failure, ...): the last terminal status wins; none yet means InProgress.
        /// </summary>
        public static string OutcomeOf(IReadOnlyList<AzureActivityRecord> timeOrdered) =>
            OutcomeOf(timeOrdered.Select(r => r.ActivityStatusValue));

        /// <summary>The same, from the ActivityStatusValues in time order.</summary>
        public static string OutcomeOf(IEnumerable<string> timeOrderedStatuses)
        {
            string outcome = "InProgress";
            foreach (var status in timeOrderedStatuses)
            {
                var s = status.Trim();
                if (s.Equals("Succeeded", StringComparison.OrdinalIgnoreCase) || s.Equals("Success", StringComparison.OrdinalIgnoreCase))
                    outcome = "Succeeded";
                else if (s.Equals("Failed", StringComparison.OrdinalIgnoreCase) || s.Equals("Failure", StringComparison.OrdinalIgnoreCase))
                    outcome = "Failed";
                else if (s.Equals("Rejected", StringComparison.OrdinalIgnoreCase) || s.Equals("Reject", StringComparison.OrdinalIgnoreCase))
                    outcome = "Rejected";
                else if (s.Equals("Canceled", StringComparison.OrdinalIgnoreCase) || s.Equals("Cancelled", StringComparison.OrdinalIgnoreCase))
                    outcome = "Canceled";
            }
            return outcome;
        }
    }
}
