using System;

namespace RunCommandHunt.Engine.Baseline
{
    /// <summary>
    /// The baseline file cannot be used: corrupt, of a newer or unknown version, of another fingerprint kind, locked
    /// too long, or not writable. The file is never reset or overwritten when this is thrown.
    /// </summary>
    public class BaselineException : Exception
    {
        public BaselineException(string message, string path, string reason, long line = 0, long column = 0, string? value = null, Exception? inner = null)
            : base(message, inner)
        {
            Path = path; Reason = reason; Line = line; Column = column; Value = value;
        }

        /// <summary>The baseline file (or its lock file, for <c>LockTimeout</c>).</summary>
        public string Path { get; }
        /// <summary>Stable reason for an ErrorId: Corrupt, UnsupportedVersion, FingerprintKindMismatch, LockTimeout,
        /// FolderNotFound, Unreadable, WriteFailed.</summary>
        public string Reason { get; }
        /// <summary>1-based line of the problem in the file; 0 when not tied to a place.</summary>
        public long Line { get; }
        /// <summary>1-based column (characters) of the problem; 0 when not tied to a place.</summary>
        public long Column { get; }
        /// <summary>The offending value, as written in the file, when there is one.</summary>
        public string? Value { get; }
    }
}
