using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers.Formats;

namespace RunCommandHunt.Engine.Readers
{
    /// <summary>
    /// Maps a row (values in the order of a <see cref="ColumnSet"/>) to an evidence record, with the same
    /// validation for files, PowerShell pipeline objects and live API tables: a bad or empty TimeGenerated or a
    /// bad long rejects the row; strings are never null.
    /// </summary>
    public static class EvidenceRowMapper
    {
        // Field positions in TableSchema.Fields(table).
        private const int AaTime = 0, AaOperation = 1, AaStatus = 2, AaAuthorization = 3, AaCaller = 4, AaCallerIp = 5, AaCorrelation = 6,
            AaUnderscoreResourceId = 7, AaResourceId = 8, AaSubscription = 9, AaResourceGroup = 10;
        private const int DfTime = 0, DfDeviceName = 1, DfFileName = 2, DfIpFileName = 3, DfFileSize = 4, DfFolderPath = 5, DfDeviceId = 6,
            DfActionType = 7, DfSha256 = 8, DfIpAccountName = 9, DfIpAccountDomain = 10, DfIpFolderPath = 11, DfIpCommandLine = 12, DfIpId = 13;
        private const int DeTime = 0, DeDeviceName = 1, DeIpCommandLine = 2, DeAdditionalFields = 3, DeActionType = 4, DeDeviceId = 5,
            DeIpId = 6, DeIpFileName = 7, DeFileName = 8, DeFolderPath = 9, DeSha256 = 10;
        private const int DpTime = 0, DpDeviceName = 1, DpFileName = 2, DpCommandLine = 3, DpFolderPath = 4, DpProcessId = 5, DpIpFileName = 6,
            DpIpCommandLine = 7, DpIpId = 8, DpAccountName = 9, DpActionType = 10, DpDeviceId = 11;

        /// <summary>The columns the mapper parses as longs (a bad value rejects the row), besides TimeGenerated.</summary>
        internal static string[] LongFields(EvidenceTable table)
        {
            var fields = TableSchema.Fields(table);
            switch (table)
            {
                case EvidenceTable.DeviceFileEvents: return new[] { fields[DfFileSize], fields[DfIpId] };
                case EvidenceTable.DeviceEvents: return new[] { fields[DeIpId] };
                case EvidenceTable.DeviceProcessEvents: return new[] { fields[DpProcessId], fields[DpIpId] };
                default: return Array.Empty<string>();
            }
        }

        /// <summary>The table these columns belong to, or Unknown when they fit none or several equally.</summary>
        public static EvidenceTable Identify(ColumnSet columns)
        {
            if (columns == null) throw new ArgumentNullException(nameof(columns));
            return TableSchema.Identify(columns, null, null).Table;
        }

        /// <summary>The required columns of <paramref name="table"/> that <paramref name="columns"/> lacks.</summary>
        public static IReadOnlyList<string> MissingColumns(ColumnSet columns, EvidenceTable table)
        {
            if (columns == null) throw new ArgumentNullException(nameof(columns));
            return TableSchema.Missing(columns, table);
        }

        public static bool TryMapAzureActivity(ColumnSet c, IReadOnlyList<string?> values, RecordOrigin origin, out AzureActivityRecord? record, out EvidenceRowError? error)
            => MapAzureActivity(Bind(c, EvidenceTable.AzureActivity), AsArray(values), origin, out record, out error);

        public static bool TryMapDeviceFileEvent(ColumnSet c, IReadOnlyList<string?> values, RecordOrigin origin, out DeviceFileEventRecord? record, out EvidenceRowError? error)
            => MapDeviceFileEvent(Bind(c, EvidenceTable.DeviceFileEvents), AsArray(values), origin, out record, out error);

        public static bool TryMapDeviceEvent(ColumnSet c, IReadOnlyList<string?> values, RecordOrigin origin, out DeviceEventRecord? record, out EvidenceRowError? error)
            => MapDeviceEvent(Bind(c, EvidenceTable.DeviceEvents), AsArray(values), origin, out record, out error, out _);

        public static bool TryMapDeviceProcessEvent(ColumnSet c, IReadOnlyList<string?> values, RecordOrigin origin, out DeviceProcessEventRecord? record, out EvidenceRowError? error)
            => MapDeviceProcessEvent(Bind(c, EvidenceTable.DeviceProcessEvents), AsArray(values), origin, out record, out error);

        private static TableBinding Bind(ColumnSet c, EvidenceTable table)
        {
            if (c == null) throw new ArgumentNullException(nameof(c));
            return c.GetBinding(table);
        }

        private static string?[] AsArray(IReadOnlyList<string?> values)
        {
            if (values == null) throw new ArgumentNullException(nameof(values));
            return values as string?[] ?? values.ToArray();
        }

        [MethodImpl(Hot.Optimize)]
        internal static bool MapAzureActivity(TableBinding b, string?[] v, RecordOrigin origin, out AzureActivityRecord? record, out EvidenceRowError? error)
        {
            record = null;
            var ix = b.Index;
            if (!CheckRow(b, v, origin, out error) || !TryTime(b, v, origin, out var time, out error)) return false;
            string resourceId = Str(v, ix[AaUnderscoreResourceId]);
            if (resourceId.Length == 0) resourceId = Str(v, ix[AaResourceId]);
            record = new AzureActivityRecord
            {
                TimeGenerated = time,
                OperationNameValue = Str(v, ix[AaOperation]),
                ActivityStatusValue = Str(v, ix[AaStatus]),
                Authorization = Str(v, ix[AaAuthorization]),
                Caller = Str(v, ix[AaCaller]),
                CallerIpAddress = Str(v, ix[AaCallerIp]),
                CorrelationId = Str(v, ix[AaCorrelation]),
                ResourceId = resourceId,
                SubscriptionId = Str(v, ix[AaSubscription]),
                ResourceGroup = Str(v, ix[AaResourceGroup]),
                Origin = origin,
            };
            return true;
        }

        [MethodImpl(Hot.Optimize)]
        internal static bool MapDeviceFileEvent(TableBinding b, string?[] v, RecordOrigin origin, out DeviceFileEventRecord? record, out EvidenceRowError? error)
        {
            record = null;
            var ix = b.Index;
            if (!CheckRow(b, v, origin, out error) || !TryTime(b, v, origin, out var time, out error)) return false;
            if (!TryLong(b, v, DfFileSize, origin, out var fileSize, out error)) return false;
            if (!TryLong(b, v, DfIpId, origin, out var ipId, out error)) return false;
            record = new DeviceFileEventRecord
            {
                TimeGenerated = time,
                DeviceId = Str(v, ix[DfDeviceId]),
                DeviceName = Str(v, ix[DfDeviceName]),
                ActionType = Str(v, ix[DfActionType]),
                FileName = Str(v, ix[DfFileName]),
                FolderPath = Str(v, ix[DfFolderPath]),
                FileSize = fileSize,
                SHA256 = Str(v, ix[DfSha256]),
                InitiatingProcessFileName = Str(v, ix[DfIpFileName]),
                InitiatingProcessAccountName = Str(v, ix[DfIpAccountName]),
                InitiatingProcessAccountDomain = Str(v, ix[DfIpAccountDomain]),
                InitiatingProcessFolderPath = Str(v, ix[DfIpFolderPath]),
                InitiatingProcessCommandLine = Str(v, ix[DfIpCommandLine]),
                InitiatingProcessId = ipId,
                Origin = origin,
            };
            return true;
        }

        /// <param name="invalidAdditionalFields">True when AdditionalFields is not valid JSON: the row is kept
        /// (Kusto keeps it) with Command and ScriptContent "".</param>
        [MethodImpl(Hot.Optimize)]
        internal static bool MapDeviceEvent(TableBinding b, string?[] v, RecordOrigin origin, out DeviceEventRecord? record, out EvidenceRowError? error, out bool invalidAdditionalFields)
        {
            record = null;
            invalidAdditionalFields = false;
            var ix = b.Index;
            if (!CheckRow(b, v, origin, out error) || !TryTime(b, v, origin, out var time, out error)) return false;
            if (!TryLong(b, v, DeIpId, origin, out var ipId, out error)) return false;
            string additional = Str(v, ix[DeAdditionalFields]);
            invalidAdditionalFields = !KustoJson.TryReadCommand(additional, out var command, out var script);
            record = new DeviceEventRecord
            {
                TimeGenerated = time,
                DeviceId = Str(v, ix[DeDeviceId]),
                DeviceName = Str(v, ix[DeDeviceName]),
                ActionType = Str(v, ix[DeActionType]),
                InitiatingProcessCommandLine = Str(v, ix[DeIpCommandLine]),
                InitiatingProcessId = ipId,
                InitiatingProcessFileName = Str(v, ix[DeIpFileName]),
                FileName = Str(v, ix[DeFileName]),
                FolderPath = Str(v, ix[DeFolderPath]),
                SHA256 = Str(v, ix[DeSha256]),
                AdditionalFields = additional,
                Command = command,
                ScriptContent = script,
                Origin = origin,
            };
            return true;
        }

        [MethodImpl(Hot.Optimize)]
        internal static bool MapDeviceProcessEvent(TableBinding b, string?[] v, RecordOrigin origin, out DeviceProcessEventRecord? record, out EvidenceRowError? error)
        {
            record = null;
            var ix = b.Index;
            if (!CheckRow(b, v, origin, out error) || !TryTime(b, v, origin, out var time, out error)) return false;
            if (!TryLong(b, v, DpProcessId, origin, out var processId, out error)) return false;
            if (!TryLong(b, v, DpIpId, origin, out var ipId, out error)) return false;
            record = new DeviceProcessEventRecord
            {
                TimeGenerated = time,
                DeviceId = Str(v, ix[DpDeviceId]),
                DeviceName = Str(v, ix[DpDeviceName]),
                ActionType = Str(v, ix[DpActionType]),
                FileName = Str(v, ix[DpFileName]),
                FolderPath = Str(v, ix[DpFolderPath]),
                ProcessCommandLine = Str(v, ix[DpCommandLine]),
                ProcessId = processId,
                InitiatingProcessFileName = Str(v, ix[DpIpFileName]),
                InitiatingProcessCommandLine = Str(v, ix[DpIpCommandLine]),
                InitiatingProcessId = ipId,
                AccountName = Str(v, ix[DpAccountName]),
                Origin = origin,
            };
            return true;
        }

        private static string Str(string?[] v, int index) => (uint)index < (uint)v.Length ? v[index] ?? "" : "";

        /// <summary>Required columns present, and the row's own Type (when there is one) is this table.</summary>
        private static bool CheckRow(TableBinding b, string?[] v, RecordOrigin origin, out EvidenceRowError? error)
        {
            error = null;
            if (b.Missing.Count > 0)
            {
                error = new EvidenceRowError(origin.Source, origin.Line, b.Missing[0], null,
                    $"the row has no {string.Join(", ", b.Missing)} column (required for {b.Table})");
                return false;
            }
            if (b.TypeIndex >= 0)
            {
                string type = Str(v, b.TypeIndex);
                if (TableSchema.TryParseTableName(type, out var rowTable) && rowTable != b.Table)
                {
                    error = new EvidenceRowError(origin.Source, origin.Line, b.Columns[b.TypeIndex], type,
                        $"this is a {rowTable} row; it is read as {b.Table}");
                    return false;
                }
            }
            return true;
        }

        private static bool TryTime(TableBinding b, string?[] v, RecordOrigin origin, out DateTime time, out EvidenceRowError? error)
        {
            error = null;
            int i = b.Index[0];
            string? text = (uint)i < (uint)v.Length ? v[i] : null;
            if (EvidenceValues.TryParseDateTime(text, out time)) return true;
            string column = i >= 0 ? b.Columns[i] : TableSchema.TimeGenerated;
            error = new EvidenceRowError(origin.Source, origin.Line, column, text,
                string.IsNullOrWhiteSpace(text)
                    ? "TimeGenerated is empty"
                    : "not a datetime (expected ISO 8601 such as 2023-06-09T10:45:31.9520000Z, or the portal's 6/9/2023, 10:45:31.952 AM)");
            return false;
        }

        private static bool TryLong(TableBinding b, string?[] v, int field, RecordOrigin origin, out long? value, out EvidenceRowError? error)
        {
            error = null;
            int i = b.Index[field];
            string? text = (uint)i < (uint)v.Length ? v[i] : null;
            if (EvidenceValues.TryParseLong(text, out value)) return true;
            error = new EvidenceRowError(origin.Source, origin.Line, b.Columns[i], text, "not a whole number");
            return false;
        }
    }
}
