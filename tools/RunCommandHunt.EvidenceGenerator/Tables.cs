using System;
using System.Collections.Generic;

namespace RunCommandHunt.EvidenceGenerator
{
    internal enum ColumnKind { String, DateTime, Long, Dynamic }

    internal sealed class Column
    {
        public Column(string name, ColumnKind kind) { Name = name; Kind = kind; }
        public string Name { get; }
        public ColumnKind Kind { get; }

        /// <summary>The type name the Log Analytics query API reports.</summary>
        public string QueryApiType => Kind switch
        {
            ColumnKind.DateTime => "datetime",
            ColumnKind.Long => "long",
            ColumnKind.Dynamic => "dynamic",
            _ => "string",
        };
    }

    internal sealed class TableSchema
    {
        private readonly Dictionary<string, int> _index = new Dictionary<string, int>(StringComparer.Ordinal);

        public TableSchema(string name, IReadOnlyList<Column> columns)
        {
            Name = name;
            Columns = columns;
            for (int i = 0; i < columns.Count; i++) _index.Add(columns[i].Name, i);
            TimeGeneratedIndex = IndexOf("TimeGenerated");
        }

        public string Name { get; }
        public IReadOnlyList<Column> Columns { get; }
        public int TimeGeneratedIndex { get; }

        public int IndexOf(string column) =>
            _index.TryGetValue(column, out int i) ? i : throw new ArgumentException($"Table {Name} has no column '{column}'.", nameof(column));
    }

    /// <summary>One row: string (also for dynamic columns, as JSON text), DateTime (UTC) or long; null = empty.</summary>
    internal sealed class Row
    {
        public Row(TableSchema schema)
        {
            Schema = schema;
            Values = new object?[schema.Columns.Count];
        }

        public TableSchema Schema { get; }
        public object?[] Values { get; }

        public DateTime TimeGenerated => Values[Schema.TimeGeneratedIndex] is DateTime t
            ? t : throw new InvalidOperationException($"{Schema.Name} row has no TimeGenerated.");

        public Row Set(string column, string? value)
        {
            int i = Schema.IndexOf(column);
            var kind = Schema.Columns[i].Kind;
            if (kind != ColumnKind.String && kind != ColumnKind.Dynamic)
                throw new ArgumentException($"{Schema.Name}.{column} is {kind}, not text.");
            Values[i] = value;
            return this;
        }

        public Row Set(string column, long? value)
        {
            int i = Schema.IndexOf(column);
            if (Schema.Columns[i].Kind != ColumnKind.Long) throw new ArgumentException($"{Schema.Name}.{column} is not a long.");
            Values[i] = value;
            return this;
        }

        public Row Set(string column, DateTime value)
        {
            int i = Schema.IndexOf(column);
            if (Schema.Columns[i].Kind != ColumnKind.DateTime) throw new ArgumentException($"{Schema.Name}.{column} is not a datetime.");
            if (value.Kind != DateTimeKind.Utc) throw new ArgumentException($"{Schema.Name}.{column} must be UTC.");
            Values[i] = value;
            return this;
        }

        public string? GetString(string column) => Values[Schema.IndexOf(column)] as string;
    }

    /// <summary>The columns of the three tables: the ones the hunt reads plus the ones an analyst sees,
    /// named and typed as in the Sentinel (Log Analytics) schema.</summary>
    internal static class EvidenceTables
    {
        private static Column S(string n) => new Column(n, ColumnKind.String);
        private static Column T(string n) => new Column(n, ColumnKind.DateTime);
        private static Column L(string n) => new Column(n, ColumnKind.Long);
        private static Column D(string n) => new Column(n, ColumnKind.Dynamic);

        public static readonly TableSchema AzureActivity = new TableSchema("AzureActivity", new[]
        {
            S("TenantId"), S("SourceSystem"), S("CallerIpAddress"), S("CategoryValue"), S("CorrelationId"),
            S("Authorization"), D("Authorization_d"), S("Claims"), S("Level"), S("OperationNameValue"),
            S("Properties"), D("Properties_d"), S("Caller"), S("EventDataId"), T("EventSubmissionTimestamp"),
            S("HTTPRequest"), S("OperationId"), S("ResourceGroup"), S("ResourceProviderValue"),
            S("ActivityStatusValue"), S("ActivitySubstatusValue"), S("Hierarchy"), T("TimeGenerated"),
            S("SubscriptionId"), S("OperationName"), S("ResourceId"), S("Type"), S("_ResourceId"),
        });

        // Columns shared by the two MDE tables: the initiating process block.
        private static readonly Column[] InitiatingProcess =
        {
            S("InitiatingProcessAccountDomain"), S("InitiatingProcessAccountName"), S("InitiatingProcessAccountSid"),
            S("InitiatingProcessAccountUpn"), S("InitiatingProcessAccountObjectId"), L("InitiatingProcessLogonId"),
            S("InitiatingProcessMD5"), S("InitiatingProcessSHA1"), S("InitiatingProcessSHA256"),
            S("InitiatingProcessFolderPath"), S("InitiatingProcessFileName"), L("InitiatingProcessFileSize"),
            L("InitiatingProcessId"), S("InitiatingProcessCommandLine"), T("InitiatingProcessCreationTime"),
            S("InitiatingProcessIntegrityLevel"), S("InitiatingProcessTokenElevation"), L("InitiatingProcessParentId"),
            S("InitiatingProcessParentFileName"), T("InitiatingProcessParentCreationTime"),
        };

        public static readonly TableSchema DeviceFileEvents = new TableSchema("DeviceFileEvents", Concat(new[]
        {
            S("TenantId"), T("TimeGenerated"), T("Timestamp"), S("DeviceId"), S("DeviceName"), S("ActionType"),
            S("FileName"), S("FolderPath"), S("SHA1"), S("SHA256"), S("MD5"), L("FileSize"),
            S("FileOriginUrl"), S("FileOriginIP"), S("FileOriginReferrerUrl"), S("PreviousFileName"), S("PreviousFolderPath"),
        }, InitiatingProcess, new[]
        {
            S("RequestProtocol"), S("RequestSourceIP"), L("RequestSourcePort"), S("RequestAccountName"),
            S("RequestAccountDomain"), S("RequestAccountSid"), S("ShareName"), L("ReportId"), D("AdditionalFields"),
            S("MachineGroup"), S("Type"),
        }));

        public static readonly TableSchema DeviceEvents = new TableSchema("DeviceEvents", Concat(new[]
        {
            S("TenantId"), T("TimeGenerated"), T("Timestamp"), S("DeviceId"), S("DeviceName"), S("ActionType"),
            S("FileName"), S("FolderPath"), S("SHA1"), S("SHA256"), S("MD5"), L("FileSize"),
            S("AccountDomain"), S("AccountName"), S("AccountSid"), S("RemoteUrl"), S("RemoteDeviceName"),
            L("ProcessId"), S("ProcessCommandLine"), T("ProcessCreationTime"), S("ProcessTokenElevation"), L("LogonId"),
            S("RegistryKey"), S("RegistryValueName"), S("RegistryValueData"), S("RemoteIP"), L("RemotePort"),
            S("LocalIP"), L("LocalPort"), S("FileOriginUrl"), S("FileOriginIP"), D("AdditionalFields"),
        }, InitiatingProcess, new[]
        {
            L("ReportId"), S("AppGuardContainerId"), S("MachineGroup"), S("Type"),
        }));

        public static IEnumerable<TableSchema> All => new[] { AzureActivity, DeviceFileEvents, DeviceEvents };

        private static Column[] Concat(params Column[][] parts)
        {
            var all = new List<Column>();
            foreach (var p in parts) all.AddRange(p);
            return all.ToArray();
        }
    }
}
