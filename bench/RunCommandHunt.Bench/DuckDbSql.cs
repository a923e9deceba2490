using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace RunCommandHunt.Bench
{
    /// <summary>
    /// The two hunts as DuckDB SQL over the generated CSV files: the analytic rule 5239248b step for step, and a
    /// corrected hunt (same machine, case-insensitive, file and time) for the module's default mode.
    /// </summary>
    public static class DuckDbSql
    {
        public const string AzureActivity = "AzureActivity";
        public const string DeviceFileEvents = "DeviceFileEvents";
        public const string DeviceEvents = "DeviceEvents";
        public static readonly string[] Tables = { AzureActivity, DeviceFileEvents, DeviceEvents };

        // Sentinel column types (Log Analytics schema); every other column is read as VARCHAR.
        private static readonly HashSet<string> DateTimeColumns = new HashSet<string>(StringComparer.Ordinal)
        {
            "TimeGenerated", "Timestamp", "EventSubmissionTimestamp", "ProcessCreationTime",
            "InitiatingProcessCreationTime", "InitiatingProcessParentCreationTime",
        };

        private static readonly HashSet<string> LongColumns = new HashSet<string>(StringComparer.Ordinal)
        {
            "FileSize", "InitiatingProcessLogonId", "InitiatingProcessFileSize", "InitiatingProcessId", "InitiatingProcessParentId",
            "ReportId", "RequestSourcePort", "ProcessId", "LogonId", "RemotePort", "LocalPort",
        };

        /// <summary>The CSV file of a table in an evidence folder.</summary>
        public static string FileOf(string evidenceDir, string table)
        {
            var path = Path.Combine(evidenceDir, table + ".csv");
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: the {table} CSV is missing from the evidence folder.", path);
            return path;
        }

        /// <summary>
        /// read_csv with every column typed explicitly (no sniffing): datetimes as TIMESTAMP_NS (Kusto keeps 100-ns
        /// ticks; TIMESTAMP would cut them to microseconds and move `between` boundaries), longs as BIGINT.
        /// Empty cells are NULL; the queries turn them into "" where Kusto would see an empty string.
        /// </summary>
        public static string ReadCsv(string evidenceDir, string table)
        {
            var path = FileOf(evidenceDir, table);
            var header = ReadHeader(path);
            var columns = new StringBuilder();
            foreach (var name in header)
            {
                if (columns.Length > 0) columns.Append(", ");
                string type = DateTimeColumns.Contains(name) ? "TIMESTAMP_NS" : LongColumns.Contains(name) ? "BIGINT" : "VARCHAR";
                columns.Append(Literal(name)).Append(": ").Append(Literal(type));
            }
            return $"read_csv({Literal(path)}, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', " +
                   $"columns = {{{columns}}})";
        }

        /// <summary>The header's column names (the generator writes plain names, quoted only when needed).</summary>
        public static IReadOnlyList<string> ReadHeader(string path)
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var line = reader.ReadLine() ?? throw new InvalidDataException($"{path}, line 1: empty file, no header");
            var names = line.Split(',').Select(n => n.Trim().Trim('"')).ToList();
            for (int i = 0; i < names.Count; i++)
                if (names[i].Length == 0) throw new InvalidDataException($"{path}, line 1, column {i + 1}: empty column name in '{line}'");
            return names;
        }

        public static string Literal(string s) => "'" + s.Replace("'", "''") + "'";

        public static string Count(string evidenceDir, string table) => $"SELECT count(*) FROM {ReadCsv(evidenceDir, table)}";

        // Kusto's tostring() of a string array: compact JSON, " and \ escaped (the commands hold no control characters).
        private const string JsonList =
            @"'[' || string_agg('""' || replace(replace({0}, '\', '\\'), '""', '\""') || '""', ',' ORDER BY {0}) {1} || ']'";

        // Default mode: a PowerShellCommand event (or one without ActionType) with a Command other than the script itself.
        private const string IsScriptCommand =
            "FILTER (WHERE Command <> '' AND lower(Command) <> lower(FileName) AND (ActionType = '' OR lower(ActionType) = 'powershellcommand'))";

        // `has` with a term: the word, case-insensitively, not inside a longer run of letters and digits.
        private const string NotAlnum = @"[^\pL\pN]";

        /// <summary>Analytic rule 5239248b (template 1.0.8), each CTE named after the KQL it stands for.</summary>
        public static string AnalyticRule(string evidenceDir) => $@"
WITH
-- AzureActivity | where OperationNameValue =~ '...' | where Authorization has 'virtualMachines'
activity AS (
    SELECT coalesce(CorrelationId, '') AS CorrelationId, coalesce(""Authorization"", '') AS ""Authorization"",
           coalesce(Caller, '') AS Caller, TimeGenerated, coalesce(CallerIpAddress, '') AS CallerIpAddress,
           coalesce(ActivityStatusValue, '') AS ActivityStatusValue
    FROM {ReadCsv(evidenceDir, AzureActivity)}
    WHERE lower(OperationNameValue) = lower('Microsoft.Compute/virtualMachines/runCommand/action')
      AND regexp_matches(""Authorization"", '(?i)(^|{NotAlnum})virtualMachines($|{NotAlnum})')
),
-- summarize StartTime=min(TimeGenerated), EndTime=max(TimeGenerated), max(CallerIpAddress), make_list(ActivityStatusValue)
--   by CorrelationId, Authorization, Caller | where list_ActivityStatusValue has_any ('Succeeded', 'Success')
operations AS (
    SELECT CorrelationId, ""Authorization"", Caller, min(TimeGenerated) AS StartTime, max(TimeGenerated) AS EndTime,
           max(CallerIpAddress) AS CallerIpAddress
    FROM activity
    GROUP BY CorrelationId, ""Authorization"", Caller
    HAVING bool_or(regexp_matches(ActivityStatusValue, '(?i)(^|{NotAlnum})(Succeeded|Success)($|{NotAlnum})'))
),
-- extend Scope = parse_json(Authorization).scope, Scope_s = split(Scope, '/'), VirtualMachineName = tostring(Scope_s[-1])
scoped AS (
    SELECT *, string_split(Scope, '/') AS Scope_s
    FROM (SELECT *, coalesce(CASE WHEN json_valid(""Authorization"") THEN json_extract_string(""Authorization"", '$.scope') END, '') AS Scope
          FROM operations)
),
runCommands AS (
    SELECT StartTime, EndTime, coalesce(Scope_s[3], '') AS Subscription, coalesce(Scope_s[-1], '') AS VirtualMachineName,
           CorrelationId, Caller, CallerIpAddress, Scope
    FROM scoped
),
-- DeviceFileEvents | where InitiatingProcessFileName == 'RunCommandExtension.exe' | extend VirtualMachineName = tostring(split(DeviceName, '.')[0])
scriptFiles AS (
    SELECT split_part(coalesce(DeviceName, ''), '.', 1) AS VirtualMachineName, TimeGenerated AS PowershellFileCreatedTimestamp,
           coalesce(FileName, '') AS FileName, FileSize
    FROM {ReadCsv(evidenceDir, DeviceFileEvents)}
    WHERE InitiatingProcessFileName = 'RunCommandExtension.exe'
),
-- join kind=leftouter (...) on VirtualMachineName | where PowershellFileCreatedTimestamp between (StartTime .. EndTime)
linked AS (
    SELECT o.StartTime, o.EndTime, o.VirtualMachineName, o.CorrelationId, o.Caller, o.CallerIpAddress, o.Scope,
           f.PowershellFileCreatedTimestamp, f.FileName, f.FileSize
    FROM runCommands o LEFT JOIN scriptFiles f ON o.VirtualMachineName = f.VirtualMachineName
    WHERE f.PowershellFileCreatedTimestamp BETWEEN o.StartTime AND o.EndTime
),
-- DeviceEvents | where InitiatingProcessCommandLine has '-File' | extend PowershellFileName = extract(@'\-File\s(script[0-9]{{1,9}}\.ps1)', 1, ...)
--   | where isnotempty(PowershellFileName) | extend PSCommand = tostring(parse_json(AdditionalFields).Command)
--   | where PSCommand != PowershellFileName | extend PSCommand = toupper(PSCommand)
commands AS (
    SELECT PowershellFileName, InitiatingProcessCommandLine, TimeGenerated, upper(PSCommand) AS PSCommand
    FROM (
        SELECT regexp_extract(InitiatingProcessCommandLine, '\-File\s(script[0-9]{{1,9}}\.ps1)', 1) AS PowershellFileName,
               InitiatingProcessCommandLine, TimeGenerated,
               CASE WHEN json_valid(AdditionalFields) THEN coalesce(json_extract_string(AdditionalFields, '$.Command'), '') ELSE '' END AS PSCommand
        FROM {ReadCsv(evidenceDir, DeviceEvents)}
        WHERE regexp_matches(InitiatingProcessCommandLine, '(?i)-File([^A-Za-z0-9]|$)'))
    WHERE PowershellFileName <> '' AND PSCommand <> PowershellFileName
),
-- order by PSCommand asc | summarize min(TimeGenerated), max(TimeGenerated), make_list(PSCommand) by PowershellFileName, InitiatingProcessCommandLine
scripts AS (
    SELECT PowershellFileName, InitiatingProcessCommandLine, min(TimeGenerated) AS PowershellExecStartTime,
           max(TimeGenerated) AS PowershellExecEnd, {string.Format(JsonList, "PSCommand", "")} AS PowershellScriptCommands
    FROM commands
    GROUP BY PowershellFileName, InitiatingProcessCommandLine
),
-- join kind=inner (...) on $left.FileName == $right.PowershellFileName
--   | extend ScriptFingerprintHash = hash_sha256(tostring(PowershellScriptCommands))   (materialize)
RunCommandData AS MATERIALIZED (
    SELECT l.*, s.PowershellExecStartTime, s.PowershellExecEnd, s.InitiatingProcessCommandLine,
           sha256(s.PowershellScriptCommands) AS ScriptFingerprintHash
    FROM linked l JOIN scripts s ON l.FileName = s.PowershellFileName
),
totals AS (SELECT count(*) AS totals FROM RunCommandData),
hashTotals AS (SELECT ScriptFingerprintHash, count(*) AS HashCount FROM RunCommandData GROUP BY ScriptFingerprintHash)
-- join kind=leftouter (hashTotals) on ScriptFingerprintHash | extend Prevalence = toreal(HashCount) / toreal(totals) * 100 | where HashCount == 1
SELECT r.CorrelationId, r.VirtualMachineName, epoch_ns(r.StartTime) AS StartTimeNs, r.FileName AS PowershellFileName,
       r.ScriptFingerprintHash, h.HashCount, t.totals, CAST(h.HashCount AS DOUBLE) / CAST(t.totals AS DOUBLE) * 100 AS Prevalence
FROM RunCommandData r LEFT JOIN hashTotals h ON r.ScriptFingerprintHash = h.ScriptFingerprintHash CROSS JOIN totals t
WHERE h.HashCount = 1
ORDER BY r.StartTime, r.VirtualMachineName";

        /// <summary>Every Run Command operation name, lower-cased (the default hunt knows all of them).</summary>
        private static readonly string[] RunCommandOperations =
        {
            "microsoft.compute/virtualmachines/runcommand/action",
            "microsoft.compute/virtualmachinescalesets/virtualmachines/runcommand/action",
            "microsoft.compute/virtualmachines/runcommands/write",
            "microsoft.compute/virtualmachinescalesets/virtualmachines/runcommands/write",
            "microsoft.hybridcompute/machines/runcommands/write",
        };

        /// <summary>
        /// The hunt the rule meant: one operation per CorrelationId with its outcome in either status vocabulary; a
        /// script file belongs to the latest operation on the same machine (VM name = the DeviceName's host label,
        /// case-insensitively) whose window holds the write; a PowerShell event belongs to the latest file of its
        /// -File name on the same device written at or before it; commands upper-cased and sorted, hashed as the rule
        /// does; unique = one execution with that hash.
        /// </summary>
        public static string Corrected(string evidenceDir) => $@"
WITH
activity AS (
    SELECT lower(CorrelationId) AS cid, CorrelationId, TimeGenerated,
           lower(trim(coalesce(ActivityStatusValue, ''))) AS status,
           coalesce(CASE WHEN json_valid(""Authorization"") THEN json_extract_string(""Authorization"", '$.scope') END, ResourceId, '') AS scope
    FROM {ReadCsv(evidenceDir, AzureActivity)}
    WHERE lower(OperationNameValue) IN ({string.Join(", ", RunCommandOperations.Select(Literal))})
),
operations AS (
    SELECT cid, arg_min(CorrelationId, TimeGenerated) AS CorrelationId, min(TimeGenerated) AS StartTime, max(TimeGenerated) AS EndTime,
           arg_min(scope, TimeGenerated) FILTER (WHERE scope <> '') AS scope,
           arg_max(status, TimeGenerated) FILTER (WHERE status IN ('succeeded', 'success', 'failed', 'failure', 'rejected', 'reject', 'canceled', 'cancelled')) AS outcome
    FROM activity
    GROUP BY cid
),
machines AS (
    SELECT CorrelationId, StartTime, EndTime, regexp_extract(scope, '(?i)/(?:virtualMachines|machines)/([^/]+)', 1) AS VirtualMachineName
    FROM operations
    WHERE outcome IN ('succeeded', 'success')
),
scriptFiles AS (
    SELECT DeviceName, lower(DeviceName) AS device, lower(split_part(DeviceName, '.', 1)) AS host, TimeGenerated AS FileTime, FileName
    FROM {ReadCsv(evidenceDir, DeviceFileEvents)}
    WHERE lower(InitiatingProcessFileName) = 'runcommandextension.exe' AND regexp_matches(FileName, '(?i)^script[0-9]{{1,9}}\.ps1$')
),
-- A file belongs to the latest operation on its machine whose window holds the write; per operation and file name the first write.
executions AS (
    SELECT * FROM (
        SELECT f.device, f.FileTime, f.FileName, m.CorrelationId, m.StartTime, m.VirtualMachineName,
               row_number() OVER (PARTITION BY f.device, f.FileTime, f.FileName ORDER BY m.StartTime DESC) AS latest
        FROM scriptFiles f JOIN machines m ON f.host = lower(m.VirtualMachineName) AND f.FileTime BETWEEN m.StartTime AND m.EndTime)
    WHERE latest = 1
    QUALIFY row_number() OVER (PARTITION BY CorrelationId, lower(FileName) ORDER BY FileTime) = 1
),
-- PowerShell events of a -File run; the same event exported twice counts once.
events AS (
    SELECT DISTINCT lower(DeviceName) AS device, TimeGenerated, InitiatingProcessCommandLine, AdditionalFields, coalesce(ActionType, '') AS ActionType,
           lower(regexp_extract(regexp_extract(InitiatingProcessCommandLine, '(?i)-File\s+""?([^""\s]+)', 1), '([^\\/]+)$', 1)) AS script
    FROM {ReadCsv(evidenceDir, DeviceEvents)}
    WHERE InitiatingProcessCommandLine ILIKE '%-file%'
),
owned AS (
    SELECT x.CorrelationId, x.StartTime, x.VirtualMachineName, x.FileName,
           CASE WHEN json_valid(e.AdditionalFields) THEN coalesce(json_extract_string(e.AdditionalFields, '$.Command'), '') ELSE '' END AS Command,
           e.ActionType
    FROM events e ASOF JOIN (SELECT *, lower(FileName) AS script FROM executions) x
         ON e.device = x.device AND e.script = x.script AND e.TimeGenerated >= x.FileTime
    WHERE e.script <> ''
),
runs AS (
    SELECT CorrelationId, StartTime, VirtualMachineName, FileName,
           coalesce({string.Format(JsonList, "upper(Command)", IsScriptCommand)}, '[]') AS PowershellScriptCommands
    FROM owned
    GROUP BY CorrelationId, StartTime, VirtualMachineName, FileName
),
hashed AS (SELECT *, sha256(PowershellScriptCommands) AS ScriptFingerprintHash FROM runs),
counted AS (SELECT *, count(*) OVER (PARTITION BY ScriptFingerprintHash) AS HashCount, count(*) OVER () AS totals FROM hashed)
SELECT CorrelationId, VirtualMachineName, epoch_ns(StartTime) AS StartTimeNs, FileName AS PowershellFileName, ScriptFingerprintHash,
       HashCount, totals, CAST(HashCount AS DOUBLE) / CAST(totals AS DOUBLE) * 100 AS Prevalence
FROM counted
WHERE HashCount = 1
ORDER BY StartTime, VirtualMachineName";
    }
}
