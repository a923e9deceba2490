using System;
using RunCommandHunt.Engine.Diagnostics;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>Skipped: a row its prefilter passed over (it cannot be kept, and would have mapped without an error).</summary>
    internal enum RowStatus { Row, Rejected, End, Skipped }

    /// <summary>Where the last row came from and, when it was rejected, why.</summary>
    internal sealed class RowOutcome
    {
        public long Line;
        public string Column = "";
        public string? Value;
        public string Reason = "";

        public void Reject(long line, string column, string? value, string reason)
        {
            Line = line; Column = column; Value = value; Reason = reason;
        }
    }

    /// <summary>
    /// A file's rows, streamed: the columns first, then one row at a time into a caller's array (only the
    /// columns flagged as needed are materialised; the others are left null).
    /// </summary>
    internal abstract class RowSource : IDisposable
    {
        protected RowSource(EvidenceStream stream)
        {
            Stream = stream;
        }

        internal EvidenceStream Stream { get; }
        public string Path => Stream.Path;
        public ColumnSet Columns { get; protected set; } = new ColumnSet(Array.Empty<string>());
        public string Format { get; protected set; } = "";
        /// <summary>A note about the encoding worth a warning, or null.</summary>
        public string? EncodingWarning => Stream.EncodingWarning;
        public long BytesRead => Stream.Position;
        public long TotalBytes => Stream.Length;

        /// <summary>
        /// Rows that are JSON objects may name columns their first row left out (null values are often omitted):
        /// adds those of <paramref name="names"/> to <see cref="Columns"/> so that later rows can fill them.
        /// Positional rows (CSV, Log Analytics) have nothing to add.
        /// </summary>
        public virtual void AddColumns(System.Collections.Generic.IEnumerable<string> names) { }

        /// <summary>Columns plus those of <paramref name="names"/> it lacks, or null when it lacks none.</summary>
        protected ColumnSet? Extended(System.Collections.Generic.IEnumerable<string> names)
        {
            var all = new System.Collections.Generic.List<string>(Columns.Names);
            foreach (var name in names)
                if (Columns.IndexOf(name) < 0 && !all.Contains(name)) all.Add(name);
            return all.Count == Columns.Count ? null : new ColumnSet(all);
        }

        /// <summary>Reads the next row. <paramref name="values"/> has Columns.Count slots; needed ones are
        /// overwritten (null when the row has no value).</summary>
        public abstract RowStatus Next(bool[] needed, string?[] values, RowOutcome outcome);

        /// <summary>As <see cref="Next(bool[], string[], RowOutcome)"/>; a source that can test a row's raw text
        /// may return Skipped for a row <paramref name="prefilter"/> passes over. The others map every row.</summary>
        public virtual RowStatus Next(bool[] needed, string?[] values, RowOutcome outcome, RowPrefilter.Bound? prefilter)
            => Next(needed, values, outcome);

        /// <summary>"CSV", plus what else is worth knowing: "(semicolon, UTF-16LE, gzip)".</summary>
        protected string Describe(string baseFormat, string? extra = null)
        {
            var parts = new System.Collections.Generic.List<string>();
            if (extra != null) parts.Add(extra);
            if (Stream.EncodingName != "UTF-8") parts.Add(Stream.EncodingName);
            if (Stream.Gzip) parts.Add("gzip");
            return parts.Count == 0 ? baseFormat : $"{baseFormat} ({string.Join(", ", parts)})";
        }

        protected EvidenceException Unreadable(long line, string message, Exception? inner = null)
            => new EvidenceException($"{Path}{(line > 0 ? $", line {line}" : "")}: {message}", Path, line, null, inner) { Reason = "Unreadable" };

        public virtual void Dispose() => Stream.Dispose();
    }

    internal static class EvidenceFormats
    {
        public const string Csv = "CSV";
        public const string PortalCsv = "Portal CSV";
        public const string LogAnalyticsJson = "Log Analytics API JSON";
        public const string GraphHuntingJson = "Graph hunting JSON";
        public const string HuntingApiJson = "Advanced hunting API JSON";
        public const string JsonArray = "JSON array";
        public const string JsonLines = "JSON Lines";
    }
}
