namespace RunCommandHunt.Engine.Readers
{
    /// <summary>A file that <see cref="EvidenceReader.Resolve"/> identified: its table and format.</summary>
    public sealed class EvidenceFile
    {
        internal EvidenceFile(string path, EvidenceTable table, string format, bool isExplicit)
        {
            Path = path; Table = table; Format = format; Explicit = isExplicit;
        }

        /// <summary>Full path of the file.</summary>
        public string Path { get; }
        public EvidenceTable Table { get; }
        /// <summary>How the file is written, e.g. "CSV", "Portal CSV (gzip)", "Log Analytics API JSON".</summary>
        public string Format { get; }
        /// <summary>True when the user named the file itself (not through a directory or a wildcard).</summary>
        public bool Explicit { get; }

        public override string ToString() => $"{Path} ({Table}, {Format})";
    }
}
