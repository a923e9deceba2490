using System;
using System.Collections.Generic;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>Which live service a client talks to; decides the MDE time column (TimeGenerated or Timestamp).</summary>
    public enum LiveSourceKind
    {
        /// <summary>Log Analytics query API (a Sentinel workspace). MDE tables carry TimeGenerated.</summary>
        LogAnalytics,
        /// <summary>Defender XDR advanced hunting through Microsoft Graph runHuntingQuery. MDE tables carry Timestamp.</summary>
        DefenderXdr,
    }

    /// <summary>A result column as the service declared it (type: string, datetime, long, dynamic...).</summary>
    public sealed class LiveColumn
    {
        public LiveColumn(string name, string type) { Name = name; Type = type; }
        public string Name { get; }
        public string Type { get; }
        public override string ToString() => Name + ":" + Type;
    }

    /// <summary>
    /// One answered request: the primary table as column names and rows of cell text. Cells are the wire text:
    /// strings as given, numbers and booleans as their JSON text, dynamic values as JSON text, datetimes as ISO 8601,
    /// null as null. The readers' mapper turns them into records.
    /// </summary>
    public sealed class LiveQueryResult
    {
        public LiveQueryResult(
            QueryWindow window,
            string query,
            string tableName,
            IReadOnlyList<LiveColumn> columns,
            IReadOnlyList<string?[]> rows,
            LiveServiceError? partialError,
            string? statistics,
            long responseBytes)
        {
            Window = window;
            Query = query;
            TableName = tableName;
            Columns = columns;
            Rows = rows;
            PartialError = partialError;
            Statistics = statistics;
            ResponseBytes = responseBytes;
            var names = new string[columns.Count];
            for (int i = 0; i < names.Length; i++) names[i] = columns[i].Name;
            ColumnNames = names;
        }

        public QueryWindow Window { get; }
        public string Query { get; }
        public string TableName { get; }
        public IReadOnlyList<LiveColumn> Columns { get; }
        public IReadOnlyList<string> ColumnNames { get; }
        /// <summary>Each row has exactly <see cref="Columns"/>.Count cells.</summary>
        public IReadOnlyList<string?[]> Rows { get; }
        /// <summary>The error a 200 answer carried (PartialError): the rows are then NOT the whole result.</summary>
        public LiveServiceError? PartialError { get; }
        /// <summary>The service's query statistics as compact JSON, when asked for and given.</summary>
        public string? Statistics { get; }
        /// <summary>Bytes of the response body read.</summary>
        public long ResponseBytes { get; }

        /// <summary>False when the service said the rows are partial. The row limit is the runner's business.</summary>
        public bool IsComplete => PartialError == null;
    }
}
