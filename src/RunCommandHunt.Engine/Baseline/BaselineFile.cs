using System;
using System.Collections.Generic;
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using System.Threading;
using RunCommandHunt.Engine.Reporting;

namespace RunCommandHunt.Engine.Baseline
{
    /// <summary>How <see cref="BaselineFile.Update"/> runs.</summary>
    public sealed class BaselineUpdateOptions
    {
        /// <summary>Fingerprint kind of the baseline; a file of another kind is refused, never mixed.</summary>
        public FingerprintKind Fingerprint { get; set; } = FingerprintKind.Commands;
        /// <summary>How long to wait for another run that holds the lock.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>The "updated" time written; null = now.</summary>
        public DateTime? Now { get; set; }
    }

    /// <summary>What an update did.</summary>
    public sealed class BaselineUpdateResult
    {
        public BaselineUpdateResult(ScriptBaseline baseline, IReadOnlyList<BaselineClassification> classifications, int skipped, int removedTempFiles)
        {
            Baseline = baseline; Classifications = classifications; Skipped = skipped; RemovedTempFiles = removedTempFiles;
        }

        /// <summary>The baseline as written.</summary>
        public ScriptBaseline Baseline { get; }
        /// <summary>Each execution against the file as it stood inside the lock, just before this update: a script is
        /// new here in exactly one of several concurrent updates.</summary>
        public IReadOnlyList<BaselineClassification> Classifications { get; }
        /// <summary>Distinct fingerprints this update added.</summary>
        public int NewScripts => Classifications.Where(c => c.IsNew && c.ScriptFingerprintHash.Length > 0)
            .Select(c => c.ScriptFingerprintHash).Distinct(StringComparer.OrdinalIgnoreCase).Count();
        /// <summary>Executions with neither commands nor a hash: nothing to record.</summary>
        public int Skipped { get; }
        /// <summary>Temp files of killed earlier writes that this update removed.</summary>
        public int RemovedTempFiles { get; }
    }

    /// <summary>
    /// The baseline on disk: JSON with a version field. Loading a missing file gives an empty baseline; a corrupt one
    /// throws <see cref="BaselineException"/> naming file, line, column and value, and is never reset. Updates take a
    /// lock file (FileShare.None, retried until a timeout), re-read the file inside the lock, merge, and write
    /// atomically (temp file + rename), so concurrent runs neither corrupt the file nor lose each other's updates.
    /// </summary>
    public static class BaselineFile
    {
        public const string FormatName = "RunCommandHunt.ScriptBaseline";

        private static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions
        {
            Indented = true,
            Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        };

        private static readonly string[] DateFormats = { "o", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK" };

        /// <summary>The lock file beside a baseline. It stays on disk; holding it open is the lock, so a killed run
        /// releases it with its handle and an existing lock file never blocks anyone.</summary>
        public static string LockPathOf(string path) => Path.GetFullPath(path) + ".lock";

        /// <summary>Reads a baseline without locking (the rename-based writes make a read see a whole file).</summary>
        public static ScriptBaseline Load(string path, FingerprintKind fingerprint = FingerprintKind.Commands)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            return LoadFull(Path.GetFullPath(path), fingerprint);
        }

        /// <summary>Merges <paramref name="executions"/> into the baseline file under its lock and writes it atomically.</summary>
        public static BaselineUpdateResult Update(string path, IEnumerable<RunCommandScriptExecution> executions,
            BaselineUpdateOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (executions == null) throw new ArgumentNullException(nameof(executions));
            var o = options ?? new BaselineUpdateOptions();
            var full = Path.GetFullPath(path);
            var dir = Path.GetDirectoryName(full) ?? "";
            if (!Directory.Exists(dir))
                throw new BaselineException($"Baseline folder '{dir}' does not exist (baseline file '{full}').", full, "FolderNotFound");
            var list = executions.Where(x => x != null).ToList();

            using (AcquireLock(LockPathOf(full), o.LockTimeout, cancellationToken))
            {
                // Every write happens inside this lock, so a temp file seen now belongs to a writer that was killed.
                int removed = RemoveStaleTempFiles(full);
                var current = LoadFull(full, o.Fingerprint);
                var classifications = current.Classify(list);
                int skipped = current.Merge(list);
                current.Updated = ReportDates.Utc(o.Now ?? DateTime.UtcNow);
                try
                {
                    AtomicFile.Write(full, s => Serialize(s, current));
                }
                catch (ReportWriteException ex)
                {
                    throw new BaselineException($"Cannot write baseline file '{full}': {ex.InnerException?.Message ?? ex.Message} The old file is unchanged.",
                        full, "WriteFailed", inner: ex);
                }
                return new BaselineUpdateResult(current, classifications, skipped, removed);
            }
        }

        private static ScriptBaseline LoadFull(string full, FingerprintKind fingerprint)
        {
            byte[] data;
            try
            {
                // Share delete/write so a reader never blocks a writer's rename on Windows.
                using var fs = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var ms = new MemoryStream();
                fs.CopyTo(ms);
                data = ms.ToArray();
            }
            catch (FileNotFoundException) { return new ScriptBaseline(fingerprint); }
            catch (DirectoryNotFoundException) { return new ScriptBaseline(fingerprint); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new BaselineException($"Cannot read baseline file '{full}': {ex.Message}", full, "Unreadable", inner: ex);
            }

            var baseline = Parse(data, full);
            if (baseline.Fingerprint != fingerprint)
                throw new BaselineException(
                    $"Baseline file '{full}' holds {baseline.Fingerprint} fingerprints, but {fingerprint} was asked for; " +
                    "the two never match. Use the file's kind or another baseline file.", full, "FingerprintKindMismatch", value: baseline.Fingerprint.ToString());
            return baseline;
        }

        private static FileStream AcquireLock(string lockPath, TimeSpan timeout, CancellationToken ct)
        {
            var watch = Stopwatch.StartNew();
            var random = new Random(Guid.NewGuid().GetHashCode());
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    // FileShare.None: Windows denies a second open; .NET on Unix takes flock(LOCK_EX) and fails fast.
                    return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                }
                catch (UnauthorizedAccessException ex)
                {
                    throw new BaselineException($"Cannot create or open baseline lock file '{lockPath}': {ex.Message}", lockPath, "WriteFailed", inner: ex);
                }
                catch (IOException ex)
                {
                    if (watch.Elapsed >= timeout)
                        throw new BaselineException(
                            $"Another run held baseline lock '{lockPath}' for longer than {timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s; " +
                            "the baseline was not updated. The lock ends with the run that holds it (even a killed one); retry later.",
                            lockPath, "LockTimeout", inner: ex);
                }
                // Jitter, so waiting runs do not retry in step.
                if (ct.WaitHandle.WaitOne(random.Next(10, 60))) ct.ThrowIfCancellationRequested();
            }
        }

        private static int RemoveStaleTempFiles(string full)
        {
            int removed = 0;
            var dir = Path.GetDirectoryName(full)!;
            foreach (var f in Directory.EnumerateFiles(dir, "." + Path.GetFileName(full) + ".*" + AtomicFile.TempSuffix))
            {
                if (!AtomicFile.IsTempFileOf(f, full)) continue;
                try { File.Delete(f); removed++; }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            return removed;
        }

        // ---- Writing -------------------------------------------------------------------------------------------

        internal static void Serialize(Stream stream, ScriptBaseline b)
        {
            using (var w = new Utf8JsonWriter(stream, WriterOptions))
            {
                w.WriteStartObject();
                w.WriteNumber("version", ScriptBaseline.CurrentVersion);
                w.WriteString("format", FormatName);
                w.WriteString("fingerprint", b.Fingerprint.ToString());
                if (b.Updated.HasValue) w.WriteString("updated", ReportDates.Format(b.Updated.Value));
                w.WriteStartArray("scripts");
                foreach (var e in b.Entries)
                {
                    w.WriteStartObject();
                    w.WriteString("ScriptFingerprintHash", e.ScriptFingerprintHash);
                    w.WriteString("FirstSeen", ReportDates.Format(e.FirstSeen));
                    w.WriteString("LastSeen", ReportDates.Format(e.LastSeen));
                    w.WriteNumber("Count", e.Count);
                    var x = e.Example;
                    w.WriteStartObject("Example");
                    w.WriteString("StartTime", ReportDates.Format(x.StartTime));
                    w.WriteString("VirtualMachineName", x.VirtualMachineName);
                    w.WriteString("Caller", x.Caller);
                    w.WriteString("CallerIpAddress", x.CallerIpAddress);
                    w.WriteString("PowershellFileName", x.PowershellFileName);
                    if (x.PowershellFileSize.HasValue) w.WriteNumber("PowershellFileSize", x.PowershellFileSize.Value);
                    else w.WriteNull("PowershellFileSize");
                    w.WriteStartArray("PowershellScriptCommands");
                    foreach (var c in x.PowershellScriptCommands) w.WriteStringValue(c ?? "");
                    w.WriteEndArray();
                    w.WriteString("CorrelationId", x.CorrelationId);
                    w.WriteString("Scope", x.Scope);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }

        // ---- Reading -------------------------------------------------------------------------------------------

        internal static ScriptBaseline Parse(byte[] data, string path)
        {
            int start = data.Length >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF ? 3 : 0;
            var p = new Parser(data, start, path);
            try
            {
                var r = new Utf8JsonReader(new ReadOnlySpan<byte>(data, start, data.Length - start),
                    new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
                return p.Document(ref r);
            }
            catch (JsonException ex)
            {
                long line = (ex.LineNumber ?? 0) + 1;
                long column = p.ColumnOfBytePosition(line, ex.BytePositionInLine ?? 0);
                throw new BaselineException(
                    $"Baseline file '{path}' is corrupt at line {line}, column {column}: not valid JSON ({FirstSentence(ex.Message)}). " +
                    "It was not changed; repair it or move it away to start a new baseline.", path, "Corrupt", line, column, inner: ex);
            }
        }

        private static string FirstSentence(string message)
        {
            int i = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            return (i > 0 ? message.Substring(0, i) : message).Trim().TrimEnd('.');
        }

        private sealed class Parser
        {
            private readonly byte[] _data;
            private readonly int _start;
            private readonly string _path;

            public Parser(byte[] data, int start, string path) { _data = data; _start = start; _path = path; }

            public ScriptBaseline Document(ref Utf8JsonReader r)
            {
                if (!r.Read()) throw Fail(0, "the file is empty", null);
                if (r.TokenType != JsonTokenType.StartObject) throw Fail(r.TokenStartIndex, "expected the baseline object '{'", Raw(ref r));

                int? version = null;
                FingerprintKind? kind = null;
                DateTime? updated = null;
                var entries = new List<BaselineEntry>();
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                bool sawScripts = false;

                while (Next(ref r) != JsonTokenType.EndObject)
                {
                    var name = r.GetString() ?? "";
                    Next(ref r);
                    switch (name)
                    {
                        case "version":
                            if (r.TokenType != JsonTokenType.Number || !r.TryGetInt32(out var v) || v < 1)
                                throw Fail(r.TokenStartIndex, "\"version\" must be a whole number from 1", Raw(ref r));
                            if (v > ScriptBaseline.CurrentVersion)
                                throw Fail(r.TokenStartIndex, $"the file is version {v}, written by a newer RunCommandHunt; this one reads version {ScriptBaseline.CurrentVersion}",
                                    Raw(ref r), "UnsupportedVersion");
                            version = v;
                            break;
                        case "fingerprint":
                            var ks = String(ref r, "fingerprint");
                            if (string.Equals(ks, nameof(FingerprintKind.Commands), StringComparison.OrdinalIgnoreCase)) kind = FingerprintKind.Commands;
                            else if (string.Equals(ks, nameof(FingerprintKind.CommandsAndSize), StringComparison.OrdinalIgnoreCase)) kind = FingerprintKind.CommandsAndSize;
                            else throw Fail(r.TokenStartIndex, "\"fingerprint\" must be Commands or CommandsAndSize", ks);
                            break;
                        case "updated":
                            updated = r.TokenType == JsonTokenType.Null ? (DateTime?)null : Date(ref r, "updated");
                            break;
                        case "scripts":
                            if (r.TokenType != JsonTokenType.StartArray) throw Fail(r.TokenStartIndex, "\"scripts\" must be an array", Raw(ref r));
                            sawScripts = true;
                            int index = 0;
                            while (Next(ref r) != JsonTokenType.EndArray)
                            {
                                var e = Entry(ref r, ++index, out var hashAt);
                                if (!seen.Add(e.ScriptFingerprintHash))
                                    throw Fail(hashAt, $"script {index} repeats fingerprint {e.ScriptFingerprintHash}", e.ScriptFingerprintHash);
                                entries.Add(e);
                            }
                            break;
                        default:
                            // A later minor addition: keep reading, ignore it.
                            r.Skip();
                            break;
                    }
                }
                if (r.Read()) throw Fail(r.TokenStartIndex, "unexpected content after the baseline object", Raw(ref r));
                if (version == null) throw Fail(0, "the file has no \"version\" field; it is not a RunCommandHunt baseline", null);
                if (!sawScripts) throw Fail(0, "the file has no \"scripts\" array", null);

                var b = new ScriptBaseline(kind ?? FingerprintKind.Commands) { Updated = updated };
                foreach (var e in entries) b.Merge(e);
                return b;
            }

            private BaselineEntry Entry(ref Utf8JsonReader r, int index, out long hashAt)
            {
                var entryAt = r.TokenStartIndex;
                if (r.TokenType != JsonTokenType.StartObject) throw Fail(entryAt, $"script {index} must be an object", Raw(ref r));
                string? hash = null;
                DateTime? first = null, last = null;
                long? count = null;
                long firstAt = 0;
                hashAt = entryAt;
                var example = new BaselineExample();
                while (Next(ref r) != JsonTokenType.EndObject)
                {
                    var name = r.GetString() ?? "";
                    Next(ref r);
                    switch (name)
                    {
                        case "ScriptFingerprintHash":
                            hashAt = r.TokenStartIndex;
                            hash = String(ref r, $"script {index} ScriptFingerprintHash");
                            if (hash.Trim().Length == 0) throw Fail(hashAt, $"script {index} has an empty ScriptFingerprintHash", hash);
                            break;
                        case "FirstSeen": firstAt = r.TokenStartIndex; first = Date(ref r, $"script {index} FirstSeen"); break;
                        case "LastSeen": last = Date(ref r, $"script {index} LastSeen"); break;
                        case "Count":
                            if (r.TokenType != JsonTokenType.Number || !r.TryGetInt64(out var c) || c < 1)
                                throw Fail(r.TokenStartIndex, $"script {index} Count must be a whole number from 1", Raw(ref r));
                            count = c;
                            break;
                        case "Example": example = Example(ref r, index); break;
                        default: r.Skip(); break;
                    }
                }
                if (hash == null) throw Fail(entryAt, $"script {index} has no ScriptFingerprintHash", null);
                if (first == null) throw Fail(entryAt, $"script {index} has no FirstSeen", null);
                if (last == null) throw Fail(entryAt, $"script {index} has no LastSeen", null);
                if (count == null) throw Fail(entryAt, $"script {index} has no Count", null);
                if (first > last) throw Fail(firstAt, $"script {index} FirstSeen is after its LastSeen", ReportDates.Format(first.Value));
                return new BaselineEntry { ScriptFingerprintHash = hash, FirstSeen = first.Value, LastSeen = last.Value, Count = count.Value, Example = example };
            }

            private BaselineExample Example(ref Utf8JsonReader r, int index)
            {
                if (r.TokenType == JsonTokenType.Null) return new BaselineExample();
                if (r.TokenType != JsonTokenType.StartObject) throw Fail(r.TokenStartIndex, $"script {index} Example must be an object", Raw(ref r));
                var x = new BaselineExample();
                while (Next(ref r) != JsonTokenType.EndObject)
                {
                    var name = r.GetString() ?? "";
                    Next(ref r);
                    var what = $"script {index} Example.{name}";
                    switch (name)
                    {
                        case "StartTime": x.StartTime = Date(ref r, what); break;
                        case "VirtualMachineName": x.VirtualMachineName = String(ref r, what); break;
                        case "Caller": x.Caller = String(ref r, what); break;
                        case "CallerIpAddress": x.CallerIpAddress = String(ref r, what); break;
                        case "PowershellFileName": x.PowershellFileName = String(ref r, what); break;
                        case "CorrelationId": x.CorrelationId = String(ref r, what); break;
                        case "Scope": x.Scope = String(ref r, what); break;
                        case "PowershellFileSize":
                            if (r.TokenType == JsonTokenType.Null) x.PowershellFileSize = null;
                            else if (r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var size)) x.PowershellFileSize = size;
                            else throw Fail(r.TokenStartIndex, what + " must be a whole number or null", Raw(ref r));
                            break;
                        case "PowershellScriptCommands":
                            if (r.TokenType != JsonTokenType.StartArray) throw Fail(r.TokenStartIndex, what + " must be an array of strings", Raw(ref r));
                            var commands = new List<string>();
                            while (Next(ref r) != JsonTokenType.EndArray) commands.Add(String(ref r, what));
                            x.PowershellScriptCommands = commands.ToArray();
                            break;
                        default: r.Skip(); break;
                    }
                }
                return x;
            }

            private JsonTokenType Next(ref Utf8JsonReader r)
            {
                if (!r.Read()) throw Fail(_data.Length - _start, "the file ends too early", null);
                return r.TokenType;
            }

            private string String(ref Utf8JsonReader r, string what)
            {
                if (r.TokenType != JsonTokenType.String) throw Fail(r.TokenStartIndex, what + " must be a string", Raw(ref r));
                return r.GetString() ?? "";
            }

            private DateTime Date(ref Utf8JsonReader r, string what)
            {
                var s = String(ref r, what);
                if (!DateTime.TryParseExact(s, DateFormats, CultureInfo.InvariantCulture,
                        DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var d))
                    throw Fail(r.TokenStartIndex, what + " must be an ISO 8601 date like 2024-05-01T10:00:00.0000000Z", s);
                return DateTime.SpecifyKind(d, DateTimeKind.Utc);
            }

            private string Raw(ref Utf8JsonReader r)
            {
                if (r.TokenType == JsonTokenType.StartObject) return "{...";
                if (r.TokenType == JsonTokenType.StartArray) return "[...";
                var span = r.HasValueSequence ? r.ValueSequence.ToArray() : r.ValueSpan.ToArray();
                var text = Encoding.UTF8.GetString(span);
                return r.TokenType == JsonTokenType.String ? "\"" + text + "\"" : text;
            }

            private BaselineException Fail(long tokenIndex, string problem, string? value, string reason = "Corrupt")
            {
                var (line, column) = Position(_start + tokenIndex);
                var shown = value == null ? "" : $" (value {Truncate(value, 120)})";
                var tail = reason == "Corrupt" ? " It was not changed; repair it or move it away to start a new baseline." : " It was not changed.";
                return new BaselineException($"Baseline file '{_path}' is unusable at line {line}, column {column}: {problem}{shown}.{tail}",
                    _path, reason, line, column, value);
            }

            private (long line, long column) Position(long index)
            {
                if (index > _data.Length) index = _data.Length;
                long line = 1, lineStart = _start;
                for (long i = _start; i < index; i++)
                    if (_data[i] == (byte)'\n') { line++; lineStart = i + 1; }
                return (line, Encoding.UTF8.GetCharCount(_data, (int)lineStart, (int)(index - lineStart)) + 1);
            }

            public long ColumnOfBytePosition(long line, long bytePositionInLine)
            {
                long current = 1, lineStart = _start;
                for (long i = _start; i < _data.Length && current < line; i++)
                    if (_data[i] == (byte)'\n') { current++; lineStart = i + 1; }
                var count = (int)Math.Min(bytePositionInLine, _data.Length - lineStart);
                return Encoding.UTF8.GetCharCount(_data, (int)lineStart, Math.Max(0, count)) + 1;
            }

            private static string Truncate(string s, int max) => s.Length <= max ? s : s.Substring(0, max) + "...";
        }
    }
}
