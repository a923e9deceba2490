using System;

namespace RunCommandHunt.Engine.Diagnostics
{
    /// <summary>How the engine reports to its host (a cmdlet, a test, the benchmark). Calls may come from
    /// worker threads; the cmdlet layer marshals them to the pipeline thread.</summary>
    public interface IHuntLog
    {
        void Verbose(string message);
        void Warning(string message);
        /// <summary>A bad row: the rest goes on.</summary>
        void RowRejected(EvidenceRowError error);
        /// <summary>Progress of a long read or query. <paramref name="percent"/> is -1 when unknown.</summary>
        void Progress(string activity, string status, int percent);
    }

    /// <summary>A log that drops everything; for callers that do not care.</summary>
    public sealed class NullHuntLog : IHuntLog
    {
        public static readonly NullHuntLog Instance = new NullHuntLog();
        public void Verbose(string message) { }
        public void Warning(string message) { }
        public void RowRejected(EvidenceRowError error) { }
        public void Progress(string activity, string status, int percent) { }
    }

    /// <summary>A rejected row: names the file, line, column and value.</summary>
    public sealed class EvidenceRowError
    {
        public EvidenceRowError(string source, long line, string column, string? value, string reason)
        {
            Source = source; Line = line; Column = column; Value = value; Reason = reason;
        }
        public string Source { get; }
        public long Line { get; }
        public string Column { get; }
        public string? Value { get; }
        public string Reason { get; }

        public override string ToString()
        {
            var v = Value == null ? "" : $" value '{Truncate(Value, 120)}'";
            var col = string.IsNullOrEmpty(Column) ? "" : $", column {Column}";
            return $"{Source}, line {Line}{col}:{v} {Reason}".Replace(":  ", ": ");
        }

        internal static string Truncate(string s, int max) => s.Length <= max ? s : s.Substring(0, max) + "...";
    }

    /// <summary>Evidence that cannot be read at all (a missing required column, a file of the wrong table,
    /// an unreadable format). Terminating for that file.</summary>
    public class EvidenceException : Exception
    {
        public EvidenceException(string message, string source, long line = 0, string? column = null, Exception? inner = null)
            : base(message, inner)
        {
            Source = source; Line = line; Column = column;
        }
        public new string Source { get; }
        public long Line { get; }
        public string? Column { get; }
        /// <summary>Stable reason for an ErrorId: MissingColumn, WrongTable, UnknownFormat, Unreadable, NotFound.</summary>
        public string Reason { get; set; } = "Unreadable";
    }
}
