using System;

namespace RunCommandHunt.Engine.Model
{
    /// <summary>Where a record came from, for error messages: file (or source) and 1-based line.</summary>
    public readonly struct RecordOrigin
    {
        public RecordOrigin(string source, long line) { Source = source; Line = line; }
        public string Source { get; }
        public long Line { get; }
        public override string ToString() => Line > 0 ? $"{Source}:{Line}" : Source;

        /// <summary>The same place, its line counted on by <paramref name="lines"/> (a part of a file read from its middle).</summary>
        public RecordOrigin MovedOn(long lines) => new RecordOrigin(Source, Line + lines);
    }

    /// <summary>An AzureActivity row, with the columns the hunt reads. Strings are never null ("" as in Kusto).</summary>
    public sealed class AzureActivityRecord
    {
        public DateTime TimeGenerated { get; set; }
        public string OperationNameValue { get; set; } = "";
        public string ActivityStatusValue { get; set; } = "";
        public string Authorization { get; set; } = "";
        public string Caller { get; set; } = "";
        public string CallerIpAddress { get; set; } = "";
        public string CorrelationId { get; set; } = "";
        /// <summary>_ResourceId or ResourceId where the export has it; a fallback for the scope.</summary>
        public string ResourceId { get; set; } = "";
        public string SubscriptionId { get; set; } = "";
        public string ResourceGroup { get; set; } = "";
        public RecordOrigin Origin { get; set; }
    }

    /// <summary>A DeviceFileEvents row.</summary>
    public sealed class DeviceFileEventRecord
    {
        public DateTime TimeGenerated { get; set; }
        public string DeviceId { get; set; } = "";
        public string DeviceName { get; set; } = "";
        public string ActionType { get; set; } = "";
        public string FileName { get; set; } = "";
        public string FolderPath { get; set; } = "";
        public long? FileSize { get; set; }
        public string SHA256 { get; set; } = "";
        public string InitiatingProcessFileName { get; set; } = "";
        public string InitiatingProcessAccountName { get; set; } = "";
        public string InitiatingProcessAccountDomain { get; set; } = "";
        public string InitiatingProcessFolderPath { get; set; } = "";
        public string InitiatingProcessCommandLine { get; set; } = "";
        public long? InitiatingProcessId { get; set; }
        public RecordOrigin Origin { get; set; }
    }

    /// <summary>A DeviceEvents row (PowerShellCommand and anything else the seeds let through).</summary>
    public sealed class DeviceEventRecord
    {
        public DateTime TimeGenerated { get; set; }
        public string DeviceId { get; set; } = "";
        public string DeviceName { get; set; } = "";
        public string ActionType { get; set; } = "";
        public string InitiatingProcessCommandLine { get; set; } = "";
        public long? InitiatingProcessId { get; set; }
        public string InitiatingProcessFileName { get; set; } = "";
        public string FileName { get; set; } = "";
        public string FolderPath { get; set; } = "";
        public string SHA256 { get; set; } = "";
        /// <summary>AdditionalFields as JSON text ("" when absent).</summary>
        public string AdditionalFields { get; set; } = "";
        /// <summary>tostring(parse_json(AdditionalFields).Command): "" when absent.</summary>
        public string Command { get; set; } = "";
        /// <summary>tostring(parse_json(AdditionalFields).ScriptContent), where MDE records script text.</summary>
        public string ScriptContent { get; set; } = "";
        public RecordOrigin Origin { get; set; }
    }

    /// <summary>A DeviceProcessEvents row (Linux script.sh runs and process trees).</summary>
    public sealed class DeviceProcessEventRecord
    {
        public DateTime TimeGenerated { get; set; }
        public string DeviceId { get; set; } = "";
        public string DeviceName { get; set; } = "";
        public string ActionType { get; set; } = "";
        public string FileName { get; set; } = "";
        public string FolderPath { get; set; } = "";
        public string ProcessCommandLine { get; set; } = "";
        public long? ProcessId { get; set; }
        public string InitiatingProcessFileName { get; set; } = "";
        public string InitiatingProcessCommandLine { get; set; } = "";
        public long? InitiatingProcessId { get; set; }
        public string AccountName { get; set; } = "";
        public RecordOrigin Origin { get; set; }
    }
}
