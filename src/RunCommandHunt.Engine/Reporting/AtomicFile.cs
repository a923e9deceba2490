using System;
using System.IO;

namespace RunCommandHunt.Engine.Reporting
{
    /// <summary>
    /// Writes a file so that readers see the old content or the new, never a half: the bytes go to a temp file in the
    /// same folder (a rename is only atomic within one volume), are flushed to disk, and the temp file is renamed
    /// over the target. A run killed midway leaves the target whole and, at worst, a stray "*.tmp" beside it.
    /// </summary>
    public static class AtomicFile
    {
        /// <summary>Suffix of the temp files; <see cref="IsTempFileOf"/> recognises them.</summary>
        public const string TempSuffix = ".tmp";

        /// <summary>Test hook: runs after the temp file is complete and before the rename (simulates a kill there).</summary>
        internal static Action<string>? BeforeRename;

        public static void Write(string path, Action<Stream> write)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (write == null) throw new ArgumentNullException(nameof(write));
            var full = Path.GetFullPath(path);
            var dir = Path.GetDirectoryName(full);
            if (string.IsNullOrEmpty(dir)) throw new ReportWriteException($"Cannot write '{full}': it has no folder.", full);
            if (!Directory.Exists(dir)) throw new ReportWriteException($"Cannot write '{full}': folder '{dir}' does not exist.", full);

            // Hidden, unique per writer, so concurrent writers never share a temp file.
            var temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + TempSuffix);
            try
            {
                using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.None))
                {
                    write(fs);
                    fs.Flush(true);
                }
                BeforeRename?.Invoke(temp);
                Replace(temp, full);
            }
            catch (Exception ex)
            {
                TryDelete(temp);
                if (ex is ReportWriteException) throw;
                if (ex is IOException || ex is UnauthorizedAccessException || ex is NotSupportedException)
                    throw new ReportWriteException($"Cannot write '{full}': {ex.Message}", full, ex);
                throw;
            }
        }

        /// <summary>Is <paramref name="candidate"/> a temp file that <see cref="Write"/> made for <paramref name="target"/>?</summary>
        public static bool IsTempFileOf(string candidate, string target)
        {
            var name = Path.GetFileName(candidate);
            var prefix = "." + Path.GetFileName(target) + ".";
            return name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(TempSuffix, StringComparison.Ordinal);
        }

        private static void Replace(string temp, string target)
        {
            // File.Replace is a rename(2) on Unix and ReplaceFile on Windows; both atomic. It needs an existing target,
            // so the first write is a Move; another writer may create the target in between, then we replace it.
            // On Windows a reader holding the target without FILE_SHARE_DELETE blocks the rename for a moment: retry.
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    if (File.Exists(target)) File.Replace(temp, target, null, true);
                    else File.Move(temp, target);
                    return;
                }
                catch (IOException) when (attempt < 40 && File.Exists(temp))
                {
                    System.Threading.Thread.Sleep(25);
                }
                catch (UnauthorizedAccessException) when (attempt < 40 && File.Exists(temp) && File.Exists(target))
                {
                    System.Threading.Thread.Sleep(25);
                }
            }
        }

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>A report, alert or baseline file could not be written. Names the file.</summary>
    public class ReportWriteException : IOException
    {
        public ReportWriteException(string message, string path, Exception? inner = null) : base(message, inner)
        {
            Path = path;
        }

        public string Path { get; }
        /// <summary>Stable reason for an ErrorId.</summary>
        public string Reason { get; set; } = "WriteFailed";
    }
}
