using System;
using System.Collections.Generic;
using System.Linq;

namespace RunCommandHunt.Engine.Readers
{
    /// <summary>The columns each table must have, the columns the mapper reads, and how a file's columns
    /// decide its table.</summary>
    internal static class TableSchema
    {
        public const string TimeGenerated = "TimeGenerated";
        public const string Timestamp = "Timestamp";
        public const string Type = "Type";
        public const string AdditionalFields = "AdditionalFields";
        public const string ProcessCommandLine = "ProcessCommandLine";

        public static readonly EvidenceTable[] All =
        {
            EvidenceTable.AzureActivity, EvidenceTable.DeviceFileEvents, EvidenceTable.DeviceEvents, EvidenceTable.DeviceProcessEvents,
        };

        // The columns the mapper reads, in the order of the Field constants below; the first RequiredCount are required.
        private static readonly string[] AzureActivityFields =
        {
            TimeGenerated, "OperationNameValue", "ActivityStatusValue", "Authorization", "Caller", "CallerIpAddress", "CorrelationId",
            "_ResourceId", "ResourceId", "SubscriptionId", "ResourceGroup",
        };
        private static readonly string[] DeviceFileEventsFields =
        {
            TimeGenerated, "DeviceName", "FileName", "InitiatingProcessFileName",
            "FileSize", "FolderPath", "DeviceId", "ActionType", "SHA256", "InitiatingProcessAccountName", "InitiatingProcessAccountDomain",
            "InitiatingProcessFolderPath", "InitiatingProcessCommandLine", "InitiatingProcessId",
        };
        private static readonly string[] DeviceEventsFields =
        {
            TimeGenerated, "DeviceName", "InitiatingProcessCommandLine", AdditionalFields,
            "ActionType", "DeviceId", "InitiatingProcessId", "InitiatingProcessFileName", "FileName", "FolderPath", "SHA256",
        };
        private static readonly string[] DeviceProcessEventsFields =
        {
            TimeGenerated, "DeviceName", "FileName", ProcessCommandLine,
            "FolderPath", "ProcessId", "InitiatingProcessFileName", "InitiatingProcessCommandLine", "InitiatingProcessId", "AccountName",
            "ActionType", "DeviceId",
        };

        /// <summary>Columns only DeviceFileEvents has among the four tables.</summary>
        private static readonly string[] DeviceFileEventsOnly =
        {
            "PreviousFileName", "PreviousFolderPath", "FileOriginReferrerUrl", "ShareName", "RequestProtocol", "RequestAccountName", "SensitivityLabel",
        };

        public static string[] Fields(EvidenceTable table)
        {
            switch (table)
            {
                case EvidenceTable.AzureActivity: return AzureActivityFields;
                case EvidenceTable.DeviceFileEvents: return DeviceFileEventsFields;
                case EvidenceTable.DeviceEvents: return DeviceEventsFields;
                case EvidenceTable.DeviceProcessEvents: return DeviceProcessEventsFields;
                default: throw new ArgumentOutOfRangeException(nameof(table), table, "not an evidence table");
            }
        }

        public static int RequiredCount(EvidenceTable table) => table == EvidenceTable.AzureActivity ? 7 : 4;

        public static IEnumerable<string> Required(EvidenceTable table) => Fields(table).Take(RequiredCount(table));

        public static List<string> Missing(ColumnSet columns, EvidenceTable table)
        {
            var missing = new List<string>();
            foreach (var name in Required(table))
                if (columns.IndexOf(name) < 0) missing.Add(name);
            return missing;
        }

        public static bool TryParseTableName(string? text, out EvidenceTable table)
        {
            table = EvidenceTable.Unknown;
            if (string.IsNullOrWhiteSpace(text)) return false;
            foreach (var t in All)
            {
                if (string.Equals(text!.Trim(), t.ToString(), StringComparison.OrdinalIgnoreCase)) { table = t; return true; }
            }
            return false;
        }

        /// <summary>
        /// Decides a file's table: a Type value (LA exports carry it) names it; else the tables whose required
        /// columns are all present, narrowed by columns only one table has, then by the file name.
        /// Unknown with several candidates means ambiguous.
        /// </summary>
        public static Identification Identify(ColumnSet columns, string? typeValue, string? fileName)
        {
            if (TryParseTableName(typeValue, out var byType))
                return new Identification(byType, new[] { byType }, "its Type column");

            var candidates = All.Where(t => Missing(columns, t).Count == 0).ToList();
            if (candidates.Count <= 1)
                return new Identification(candidates.Count == 1 ? candidates[0] : EvidenceTable.Unknown, candidates.ToArray(), "its columns");

            if (candidates.Contains(EvidenceTable.DeviceFileEvents) && DeviceFileEventsOnly.Any(columns.Contains))
                return new Identification(EvidenceTable.DeviceFileEvents, candidates.ToArray(), "its DeviceFileEvents-only columns");
            // Full exports of the Defender tables share most columns: AdditionalFields marks DeviceEvents against
            // DeviceFileEvents, ProcessCommandLine without AdditionalFields marks DeviceProcessEvents.
            if (candidates.Contains(EvidenceTable.DeviceEvents)) candidates.Remove(EvidenceTable.DeviceFileEvents);
            if (candidates.Contains(EvidenceTable.DeviceProcessEvents) && !columns.Contains(AdditionalFields))
                candidates.Remove(EvidenceTable.DeviceFileEvents);
            if (candidates.Count == 1)
                return new Identification(candidates[0], candidates.ToArray(), "its columns");

            if (!string.IsNullOrEmpty(fileName))
            {
                var named = candidates.Where(t => fileName!.IndexOf(t.ToString(), StringComparison.OrdinalIgnoreCase) >= 0).ToList();
                if (named.Count == 1) return new Identification(named[0], candidates.ToArray(), "its file name");
            }
            return new Identification(EvidenceTable.Unknown, candidates.ToArray(), "ambiguous");
        }
    }

    internal sealed class Identification
    {
        public Identification(EvidenceTable table, EvidenceTable[] candidates, string how)
        {
            Table = table; Candidates = candidates; How = how;
        }
        public EvidenceTable Table { get; }
        public EvidenceTable[] Candidates { get; }
        /// <summary>What decided it, for verbose messages.</summary>
        public string How { get; }
        public bool Ambiguous => Table == EvidenceTable.Unknown && Candidates.Length > 1;
    }

    /// <summary>A table's columns resolved against one ColumnSet: where each field is and which columns to
    /// materialise (the rest are skipped without allocating).</summary>
    internal sealed class TableBinding
    {
        public TableBinding(ColumnSet columns, EvidenceTable table)
        {
            Table = table;
            var fields = TableSchema.Fields(table);
            Index = new int[fields.Length];
            Needed = new bool[columns.Count];
            var needed = new List<int>();
            for (int f = 0; f < fields.Length; f++)
            {
                int i = columns.IndexOf(fields[f]);
                Index[f] = i;
                if (i >= 0 && !Needed[i]) { Needed[i] = true; needed.Add(i); }
            }
            // A union export can mix tables; the Type of each row is checked against the file's table.
            TypeIndex = columns.IndexOf(TableSchema.Type);
            if (TypeIndex >= 0 && !Needed[TypeIndex]) { Needed[TypeIndex] = true; needed.Add(TypeIndex); }
            NeededIndexes = needed.ToArray();
            Missing = TableSchema.Missing(columns, table);
            Columns = columns;
        }

        public EvidenceTable Table { get; }
        public ColumnSet Columns { get; }
        /// <summary>Column index of each field (TableSchema.Fields order), -1 when absent.</summary>
        public int[] Index { get; }
        public bool[] Needed { get; }
        public int[] NeededIndexes { get; }
        /// <summary>Index of the Type column, -1 when absent.</summary>
        public int TypeIndex { get; }
        public List<string> Missing { get; }
    }
}
