namespace RunCommandHunt.Engine.Readers
{
    /// <summary>What happened to the rows of one file. Read == Used + Filtered + Rejected.</summary>
    public sealed class FileReadStatistics
    {
        internal FileReadStatistics(string file, EvidenceTable table, string format)
        {
            File = file; Table = table; Format = format;
        }

        public string File { get; }
        public EvidenceTable Table { get; }
        public string Format { get; internal set; }
        /// <summary>Data rows seen (the header is not a row).</summary>
        public long Read { get; internal set; }
        /// <summary>Mapped and kept by the caller's predicate.</summary>
        public long Used { get; internal set; }
        /// <summary>Not kept by the caller's predicate (mapped, or passed over by its prefilter).</summary>
        public long Filtered { get; internal set; }
        /// <summary>Bad rows, each reported through IHuntLog.RowRejected.</summary>
        public long Rejected { get; internal set; }
        /// <summary>Used rows whose AdditionalFields is not valid JSON (kept, as Kusto keeps them; Command is "").</summary>
        public long InvalidAdditionalFields { get; internal set; }
        /// <summary>False while the file is being read, or when reading stopped early.</summary>
        public bool Completed { get; internal set; }

        public override string ToString() =>
            $"{File}: {Table}, {Format}: read {Read}, used {Used}, filtered {Filtered}, rejected {Rejected}";
    }
}
