using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers.Formats;

namespace RunCommandHunt.Engine.Readers
{
    /// <summary>
    /// Reads exported evidence files (CSV, portal CSV, Log Analytics and Defender API JSON, JSON arrays, JSON
    /// Lines; gzip; UTF-8/UTF-16) into typed records, streaming, with exact per-file accounting:
    /// Read == Used + Filtered + Rejected. Bad rows go to IHuntLog.RowRejected and reading goes on.
    /// Enumerations are lazy; each may run on any thread, and several files may be read at once.
    /// </summary>
    public sealed partial class EvidenceReader
    {
        private const int ProgressCheckRows = 1024;
        private readonly IHuntLog log;
        private readonly CancellationToken cancellationToken;
        private readonly List<FileReadStatistics> statistics = new List<FileReadStatistics>();

        private delegate bool Mapper<T>(TableBinding binding, string?[] values, RecordOrigin origin, out T? record, out EvidenceRowError? error, out bool invalidAdditionalFields)
            where T : class;

        public EvidenceReader(IHuntLog log, CancellationToken cancellationToken = default)
        {
            this.log = log ?? throw new ArgumentNullException(nameof(log));
            this.cancellationToken = cancellationToken;
        }

        /// <summary>Least time between two progress reports of a file (at most a few a second).</summary>
        internal int ProgressIntervalMs { get; set; } = 250;

        /// <summary>One entry per file read so far (a snapshot; entries of files being read still change).</summary>
        public IReadOnlyList<FileReadStatistics> Statistics
        {
            get { lock (statistics) return statistics.ToArray(); }
        }

        /// <summary>
        /// Expands paths (files; directories, not recursively; wildcards * and ? in the last segment), identifies
        /// each file's table by its content and keeps those of the <paramref name="wanted"/> tables (all when none
        /// given). Directory and wildcard members of other tables, or of none, are skipped with a verbose message.
        /// </summary>
        /// <exception cref="EvidenceException">Reason NotFound: a path that does not exist or a wildcard that
        /// matches nothing. WrongTable: a file named explicitly is of another table. MissingColumn: a file named
        /// explicitly (or identified by its Type column) lacks required columns. AmbiguousTable: the columns fit
        /// several wanted tables. PartialResult: a query API response that carries an error.</exception>
        public IReadOnlyList<EvidenceFile> Resolve(IEnumerable<string> paths, params EvidenceTable[] wanted)
        {
            if (paths == null) throw new ArgumentNullException(nameof(paths));
            var wantedTables = wanted == null || wanted.Length == 0
                ? TableSchema.All
                : wanted.Where(t => t != EvidenceTable.Unknown).Distinct().ToArray();
            var result = new List<EvidenceFile>();
            var seen = new HashSet<string>(PathComparer);
            foreach (var path in paths)
            {
                foreach (var (file, isExplicit) in Expand(path))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    string full = System.IO.Path.GetFullPath(file);
                    if (!seen.Add(full)) continue;
                    var evidence = ResolveFile(full, isExplicit, wantedTables);
                    if (evidence != null) result.Add(evidence);
                }
            }
            return result;
        }

        public IEnumerable<AzureActivityRecord> ReadAzureActivity(IEnumerable<EvidenceFile> files, Func<AzureActivityRecord, bool>? keep = null)
            => ReadAzureActivity(files, new EvidenceFilter<AzureActivityRecord>(keep));

        public IEnumerable<DeviceFileEventRecord> ReadDeviceFileEvents(IEnumerable<EvidenceFile> files, Func<DeviceFileEventRecord, bool>? keep = null)
            => ReadDeviceFileEvents(files, new EvidenceFilter<DeviceFileEventRecord>(keep));

        public IEnumerable<DeviceEventRecord> ReadDeviceEvents(IEnumerable<EvidenceFile> files, Func<DeviceEventRecord, bool>? keep = null)
            => ReadDeviceEvents(files, new EvidenceFilter<DeviceEventRecord>(keep));

        public IEnumerable<DeviceProcessEventRecord> ReadDeviceProcessEvents(IEnumerable<EvidenceFile> files, Func<DeviceProcessEventRecord, bool>? keep = null)
            => ReadDeviceProcessEvents(files, new EvidenceFilter<DeviceProcessEventRecord>(keep));

        public IEnumerable<AzureActivityRecord> ReadAzureActivity(IEnumerable<EvidenceFile> files, EvidenceFilter<AzureActivityRecord> filter)
            => ReadTable(files, EvidenceTable.AzureActivity, filter, MapActivity);

        public IEnumerable<DeviceFileEventRecord> ReadDeviceFileEvents(IEnumerable<EvidenceFile> files, EvidenceFilter<DeviceFileEventRecord> filter)
            => ReadTable(files, EvidenceTable.DeviceFileEvents, filter, MapFileEvent);

        public IEnumerable<DeviceEventRecord> ReadDeviceEvents(IEnumerable<EvidenceFile> files, EvidenceFilter<DeviceEventRecord> filter)
            => ReadTable<DeviceEventRecord>(files, EvidenceTable.DeviceEvents, filter, EvidenceRowMapper.MapDeviceEvent);

        public IEnumerable<DeviceProcessEventRecord> ReadDeviceProcessEvents(IEnumerable<EvidenceFile> files, EvidenceFilter<DeviceProcessEventRecord> filter)
            => ReadTable(files, EvidenceTable.DeviceProcessEvents, filter, MapProcessEvent);

        /// <summary>Reads the files into <paramref name="into"/> (operations as their rows come), and returns it.</summary>
        public TFold FoldAzureActivity<TFold>(IEnumerable<EvidenceFile> files, EvidenceFilter<AzureActivityRecord> filter, TFold into)
            where TFold : IEvidenceFold<AzureActivityRecord>
        {
            FoldTable(files, EvidenceTable.AzureActivity, filter, MapActivity, into);
            return into;
        }

        /// <summary>Reads the files into <paramref name="into"/> (a DeviceEventFold), and returns it.</summary>
        public TFold FoldDeviceEvents<TFold>(IEnumerable<EvidenceFile> files, EvidenceFilter<DeviceEventRecord> filter, TFold into)
            where TFold : IEvidenceFold<DeviceEventRecord>
        {
            FoldTable<DeviceEventRecord>(files, EvidenceTable.DeviceEvents, filter, EvidenceRowMapper.MapDeviceEvent, into);
            return into;
        }

        private static readonly Mapper<AzureActivityRecord> MapActivity =
            (TableBinding b, string?[] v, RecordOrigin o, out AzureActivityRecord? r, out EvidenceRowError? e, out bool invalid) =>
            {
                invalid = false;
                return EvidenceRowMapper.MapAzureActivity(b, v, o, out r, out e);
            };

        private static readonly Mapper<DeviceFileEventRecord> MapFileEvent =
            (TableBinding b, string?[] v, RecordOrigin o, out DeviceFileEventRecord? r, out EvidenceRowError? e, out bool invalid) =>
            {
                invalid = false;
                return EvidenceRowMapper.MapDeviceFileEvent(b, v, o, out r, out e);
            };

        private static readonly Mapper<DeviceProcessEventRecord> MapProcessEvent =
            (TableBinding b, string?[] v, RecordOrigin o, out DeviceProcessEventRecord? r, out EvidenceRowError? e, out bool invalid) =>
            {
                invalid = false;
                return EvidenceRowMapper.MapDeviceProcessEvent(b, v, o, out r, out e);
            };

        private static IReadOnlyList<EvidenceFile> Checked<T>(IEnumerable<EvidenceFile> files, EvidenceTable table, EvidenceFilter<T> filter) where T : class
        {
            if (files == null) throw new ArgumentNullException(nameof(files));
            if (filter == null) throw new ArgumentNullException(nameof(filter));
            if (filter.Prefilter != null && filter.Prefilter.Table != table)
                throw new ArgumentException($"a {filter.Prefilter.Table} prefilter cannot read {table}", nameof(filter));
            return files as IReadOnlyList<EvidenceFile> ?? files.ToList();
        }

        private IEnumerable<T> ReadTable<T>(IEnumerable<EvidenceFile> files, EvidenceTable table, EvidenceFilter<T> filter, Mapper<T> map) where T : class
        {
            var list = Checked(files, table, filter);
            return ReadFiles(list, table, filter, map);
        }

        private void FoldTable<T>(IEnumerable<EvidenceFile> files, EvidenceTable table, EvidenceFilter<T> filter, Mapper<T> map, IEvidenceFold<T> into) where T : class
        {
            if (into == null) throw new ArgumentNullException(nameof(into));
            var list = Checked(files, table, filter);
            if (list.Count < 2 || MaxParallelFiles < 2)
            {
                foreach (var file in list) FoldFile(file, table, filter, map, into, cancellationToken);
                return;
            }
            foreach (var part in FilesAhead(list, table, filter, map, into.NewPart)) into.Append(part);
        }

        /// <summary>Files of one table read at once, at most this many (the machine's cores by default).</summary>
        internal int MaxParallelFiles { get; set; } = Environment.ProcessorCount;

        private IEnumerable<T> ReadFiles<T>(IReadOnlyList<EvidenceFile> list, EvidenceTable table, EvidenceFilter<T> filter, Mapper<T> map) where T : class
        {
            if (list.Count < 2 || MaxParallelFiles < 2)
            {
                foreach (var file in list)
                {
                    foreach (var record in ReadFile(file, table, filter, map, cancellationToken)) yield return record;
                }
                yield break;
            }
            foreach (var part in FilesAhead(list, table, filter, map, () => new RecordList<T>()))
            {
                foreach (var record in ((RecordList<T>)part).Records) yield return record;
            }
        }

        /// <summary>
        /// Several files: read ahead on the cores (at most MaxParallelFiles at once, started in file order as the
        /// earlier ones are handed on), each into a part of its own, the parts handed on in file order.
        /// </summary>
        private IEnumerable<IEvidenceFold<T>> FilesAhead<T>(IReadOnlyList<EvidenceFile> list, EvidenceTable table, EvidenceFilter<T> filter, Mapper<T> map,
            Func<IEvidenceFold<T>> newPart) where T : class
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reads = new Task<IEvidenceFold<T>>?[list.Count];
            int started = 0;
            void StartNext()
            {
                if (started >= list.Count) return;
                var file = list[started];
                reads[started++] = Task.Run(() =>
                {
                    var part = newPart();
                    FoldFile(file, table, filter, map, part, stop.Token);
                    return part;
                }, stop.Token);
            }
            try
            {
                for (int k = 0; k < MaxParallelFiles; k++) StartNext();
                for (int i = 0; i < reads.Length; i++)
                {
                    var part = reads[i]!.GetAwaiter().GetResult();
                    reads[i] = null;
                    StartNext();
                    yield return part;
                }
            }
            finally
            {
                // An abandoned enumeration or a failed file stops the reads still running.
                stop.Cancel();
                foreach (var read in reads)
                {
                    try { read?.Wait(); }
                    catch (AggregateException) { }
                }
                stop.Dispose();
            }
        }

        private IEnumerable<T> ReadFile<T>(EvidenceFile file, EvidenceTable table, EvidenceFilter<T> filter, Mapper<T> map, CancellationToken token) where T : class
        {
            using (var read = new FileRead<T>(this, file, table, filter, map, () => new RecordList<T>(), token))
            {
                while (read.Next(out var record)) yield return record!;
                if (read.JoinSecondHalf() is RecordList<T> half)
                {
                    foreach (var record in half.Records) yield return record;
                }
                // When the second half could not be used, the first half's reader reads on to the end (it already has
                // when the split fell inside a row); after a join it is at its stop and reads nothing.
                while (read.Next(out var record)) yield return record!;
                read.Complete();
            }
        }

        private void FoldFile<T>(EvidenceFile file, EvidenceTable table, EvidenceFilter<T> filter, Mapper<T> map, IEvidenceFold<T> into, CancellationToken token) where T : class
        {
            using (var read = new FileRead<T>(this, file, table, filter, map, into.NewPart, token))
            {
                while (read.Next(out var record)) into.Add(record!);
                var half = read.JoinSecondHalf();
                if (half != null) into.Append(half);
                while (read.Next(out var record)) into.Add(record!);
                read.Complete();
            }
        }

        /// <summary>One file being read: its source, counts and row loop, and the second half read meanwhile on another
        /// core when the file is large (EvidenceReader.Split.cs), folded into a part of its own.</summary>
        private sealed class FileRead<T> : IDisposable where T : class
        {
            private readonly EvidenceReader reader;
            private readonly RowSource source;
            private readonly FileReadStatistics stats;
            private readonly SecondHalf<T>? second;
            private readonly FileRows<T> rows;

            public FileRead(EvidenceReader reader, EvidenceFile file, EvidenceTable table, EvidenceFilter<T> filter, Mapper<T> map,
                Func<IEvidenceFold<T>> newPart, CancellationToken token)
            {
                token.ThrowIfCancellationRequested();
                if (file.Table != table)
                    throw new EvidenceException($"{file.Path} is a {file.Table} file; it cannot be read as {table}", file.Path) { Reason = "WrongTable" };
                this.reader = reader;
                source = RowSources.Open(file.Path, reader.log);
                if (source is CsvRowSource csv) csv.IndexMinBytes = reader.CsvIndexMinBytes;
                stats = new FileReadStatistics(file.Path, table, source.Format);
                lock (reader.statistics) reader.statistics.Add(stats);
                try
                {
                    var missing = TableSchema.Missing(source.Columns, table);
                    if (missing.Count > 0) throw MissingColumns(file.Path, table, missing, source.Columns);
                    source.AddColumns(TableSchema.Fields(table));
                    var binding = source.Columns.GetBinding(table);
                    var prefilter = filter.Prefilter?.Bind(binding);
                    second = SecondHalf<T>.Start(reader, source, binding, prefilter, filter.Keep, map, newPart, token);
                    var half = second;
                    rows = new FileRows<T>(reader, reader.log, source, stats, binding, prefilter, filter.Keep, map, token, reportProgress: true,
                        otherBytes: half == null ? null : (Func<long>)(() => half.BytesDone));
                }
                catch
                {
                    Dispose();
                    throw;
                }
            }

            public bool Next(out T? record) => rows.NextKept(out record);

            /// <summary>Once the first half has been read: the second half's part, its counts and row errors added to
            /// the file's; null when the file was not split or the split could not be used.</summary>
            public IEvidenceFold<T>? JoinSecondHalf() => second?.Join(stats, reader.log);

            public void Complete()
            {
                stats.Completed = true;
                if (rows.ReportedProgress) reader.ReportProgress(source, stats.Table, finished: true, 0);
            }

            public void Dispose()
            {
                second?.Dispose();
                source.Dispose();
                reader.Summarize(stats);
            }
        }

        /// <summary>
        /// The row loop of one file, out of the iterator so that it is compiled fully optimised at once: most rows
        /// are passed over inside it, and an iterator's loop would run in unoptimised code for the first seconds.
        /// </summary>
        private sealed class FileRows<T> where T : class
        {
            private readonly EvidenceReader reader;
            private readonly IHuntLog log;
            private readonly bool reportProgress;
            private readonly Func<long>? otherBytes;
            private readonly Action<RowSource>? onCheck;
            private readonly RowSource source;
            private readonly FileReadStatistics stats;
            private readonly TableBinding binding;
            private readonly RowPrefilter.Bound? prefilter;
            private readonly Func<T, bool>? keep;
            private readonly Mapper<T> map;
            private readonly CancellationToken token;
            private readonly string?[] values;
            private readonly RowOutcome outcome = new RowOutcome();
            private int lastProgress = Environment.TickCount;

            public FileRows(EvidenceReader reader, IHuntLog log, RowSource source, FileReadStatistics stats, TableBinding binding,
                RowPrefilter.Bound? prefilter, Func<T, bool>? keep, Mapper<T> map, CancellationToken token, bool reportProgress,
                Func<long>? otherBytes = null, Action<RowSource>? onCheck = null)
            {
                this.reader = reader; this.log = log; this.reportProgress = reportProgress; this.source = source;
                // A file read in halves: the other half's bytes count in the progress; the second half publishes them.
                this.otherBytes = otherBytes; this.onCheck = onCheck; this.stats = stats; this.binding = binding;
                this.prefilter = prefilter; this.keep = keep; this.map = map; this.token = token;
                values = new string?[source.Columns.Count];
            }

            public bool ReportedProgress { get; private set; }

            /// <summary>Reads rows until one is kept (true) or the file ends (false), counting every row.</summary>
            [MethodImpl(Hot.Optimize)]
            public bool NextKept(out T? record)
            {
                while (true)
                {
                    token.ThrowIfCancellationRequested();
                    var status = Next(source, binding.Needed, values, outcome, prefilter);
                    if (status == RowStatus.End)
                    {
                        record = null;
                        return false;
                    }
                    stats.Read++;
                    if ((stats.Read & (ProgressCheckRows - 1)) == 0)
                    {
                        onCheck?.Invoke(source);
                        if (reportProgress && unchecked(Environment.TickCount - lastProgress) >= reader.ProgressIntervalMs)
                        {
                            lastProgress = Environment.TickCount;
                            ReportedProgress = true;
                            reader.ReportProgress(source, stats.Table, finished: false, otherBytes?.Invoke() ?? 0);
                        }
                    }
                    if (status == RowStatus.Skipped)
                    {
                        stats.Filtered++;
                        continue;
                    }
                    if (status == RowStatus.Rejected)
                    {
                        stats.Rejected++;
                        log.RowRejected(new EvidenceRowError(source.Path, outcome.Line, outcome.Column, outcome.Value, outcome.Reason));
                        continue;
                    }
                    var origin = new RecordOrigin(source.Path, outcome.Line);
                    if (!map(binding, values, origin, out record, out var error, out bool invalidAdditionalFields))
                    {
                        stats.Rejected++;
                        log.RowRejected(error!);
                        continue;
                    }
                    if (keep == null || keep(record!))
                    {
                        stats.Used++;
                        if (invalidAdditionalFields) stats.InvalidAdditionalFields++;
                        return true;
                    }
                    stats.Filtered++;
                }
            }
        }

        [MethodImpl(Hot.Optimize)]
        private static RowStatus Next(RowSource source, bool[] needed, string?[] values, RowOutcome outcome, RowPrefilter.Bound? prefilter)
        {
            try
            {
                return source.Next(needed, values, outcome, prefilter);
            }
            catch (Exception ex) when (RowSources.IsReadFailure(ex))
            {
                throw RowSources.ReadFailure(source.Path, outcome.Line, ex);
            }
        }

        /// <summary>Bytes of the file on disk read so far (compressed bytes for gzip) against its length.</summary>
        private void ReportProgress(RowSource source, EvidenceTable table, bool finished, long otherBytes)
        {
            long total = source.TotalBytes;
            long done = finished ? total : Math.Min(source.BytesRead + otherBytes, total);
            int percent = total > 0 ? (int)(done * 100 / total) : -1;
            const double mb = 1024 * 1024;
            log.Progress($"Reading {table}", $"{System.IO.Path.GetFileName(source.Path)}: {done / mb:F0} of {total / mb:F0} MB", percent);
        }

        private void Summarize(FileReadStatistics s)
        {
            log.Verbose($"{s.File}: {s.Table}, {s.Format}: read {s.Read}, used {s.Used}, filtered {s.Filtered}, rejected {s.Rejected}"
                + (s.Completed ? "" : " (reading stopped before the end of the file)"));
            if (s.InvalidAdditionalFields > 0)
                log.Verbose($"{s.File}: {s.InvalidAdditionalFields} used row(s) have an AdditionalFields that is not valid JSON; as in Kusto they are kept, with an empty Command and ScriptContent");
            if (s.Rejected > 0)
                log.Warning($"{s.File}: {s.Rejected} of {s.Read} row(s) rejected; each is reported as a row error");
        }

        private EvidenceFile? ResolveFile(string path, bool isExplicit, EvidenceTable[] wanted)
        {
            Identification id;
            ColumnSet columns;
            string format;
            string? encodingWarning;
            try
            {
                using (var source = RowSources.Open(path, log))
                {
                    columns = source.Columns;
                    format = source.Format;
                    encodingWarning = source.EncodingWarning;
                    id = TableSchema.Identify(columns, FirstTypeValue(source), System.IO.Path.GetFileName(path));
                    // A partial API result is refused before any of its rows is used.
                    if (source is JsonResponseRowSource response && wanted.Contains(id.Table)) response.ThrowIfErrorResponse();
                }
            }
            // A cut gzip copy is evidence with rows missing, not an unrelated file: never skip it quietly.
            catch (EvidenceException ex) when (!isExplicit && (ex.Reason == "Unreadable" || ex.Reason == "UnknownFormat")
                                               && !(ex.InnerException is EvidenceStream.TruncatedGzipException))
            {
                if (ex.Reason == "UnknownFormat") log.Verbose($"{ex.Message}; skipped");
                else log.Warning($"{ex.Message}; skipped");
                return null;
            }
            catch (Exception ex) when (RowSources.IsReadFailure(ex))
            {
                var failure = RowSources.ReadFailure(path, 0, ex);
                if (isExplicit || ex is EvidenceStream.TruncatedGzipException) throw failure;
                log.Warning($"{failure.Message}; skipped");
                return null;
            }

            if (id.Ambiguous)
            {
                if (isExplicit || id.Candidates.Any(wanted.Contains))
                {
                    var names = id.Candidates.Select(t => t.ToString()).ToList();
                    throw new EvidenceException(
                        $"{path}: cannot tell which table this is: it has the columns of {JoinOr(names, "and")}, no Type column, and its name names none of them. " +
                        $"Put the table name in the file name (e.g. {names[0]}.csv) or export the Type column.", path) { Reason = "AmbiguousTable" };
                }
                log.Verbose($"{path}: skipped: its columns fit {JoinOr(id.Candidates.Select(t => t.ToString()).ToList(), "and")}, none of which is read here");
                return null;
            }
            if (id.Table == EvidenceTable.Unknown)
            {
                if (isExplicit)
                {
                    var closest = wanted.OrderBy(t => TableSchema.Missing(columns, t).Count).First();
                    throw MissingColumns(path, closest, TableSchema.Missing(columns, closest), columns);
                }
                // A folder member named after a table we read but lacking its columns is broken evidence, not an
                // unrelated file: skipping it would lose that table in silence.
                var named = NamedTables(path, wanted);
                if (named.Count == 1 && TableSchema.Missing(columns, named[0]).Count < TableSchema.RequiredCount(named[0]))
                    throw MissingColumns(path, named[0], TableSchema.Missing(columns, named[0]), columns);
                log.Verbose($"{path}: skipped: not one of the evidence tables (columns: {ListColumns(columns)})");
                return null;
            }
            if (wanted.Contains(id.Table))
            {
                var missing = TableSchema.Missing(columns, id.Table);
                if (missing.Count > 0) throw MissingColumns(path, id.Table, missing, columns);
                log.Verbose($"{path}: {id.Table} (by {id.How}), {format}");
                if (columns.Duplicates.Count > 0)
                    log.Warning($"{path}: column{(columns.Duplicates.Count == 1 ? "" : "s")} {string.Join(", ", columns.Duplicates)} appear{(columns.Duplicates.Count == 1 ? "s" : "")} more than once; the first is read, the others are ignored");
                if (encodingWarning != null) log.Warning($"{path}: {encodingWarning}");
                return new EvidenceFile(path, id.Table, format, isExplicit);
            }
            if (isExplicit)
                throw new EvidenceException($"{path} is a {id.Table} file; this command reads {JoinOr(wanted.Select(t => t.ToString()).ToList(), "or")}", path)
                    { Reason = "WrongTable" };
            log.Verbose($"{path}: skipped: a {id.Table} file; this command reads {JoinOr(wanted.Select(t => t.ToString()).ToList(), "or")}");
            return null;
        }

        /// <summary>Wanted tables the file's name names (DeviceFileEvents_2024-05.csv): such a folder member that has some
        /// of the table's columns but not all is broken evidence, an error rather than a file to skip.</summary>
        private static List<EvidenceTable> NamedTables(string path, IEnumerable<EvidenceTable> wanted)
        {
            var name = System.IO.Path.GetFileName(path);
            return wanted.Where(t => name.IndexOf(t.ToString(), StringComparison.OrdinalIgnoreCase) >= 0).ToList();
        }

        /// <summary>The first row's Type (Log Analytics exports carry the table name there), or null.</summary>
        private static string? FirstTypeValue(RowSource source)
        {
            int typeIndex = source.Columns.IndexOf(TableSchema.Type);
            if (typeIndex < 0 || source is JsonResponseRowSource { HasResponseError: true }) return null;
            var needed = new bool[source.Columns.Count];
            needed[typeIndex] = true;
            var values = new string?[source.Columns.Count];
            var status = source.Next(needed, values, new RowOutcome());
            return status == RowStatus.Row ? values[typeIndex] : null;
        }

        private static EvidenceException MissingColumns(string path, EvidenceTable table, IReadOnlyList<string> missing, ColumnSet columns)
        {
            return new EvidenceException(
                $"{path}: not a {table} file: the required column{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing)} {(missing.Count == 1 ? "is" : "are")} missing. " +
                $"Columns found: {ListColumns(columns)}",
                path, 1, missing.FirstOrDefault()) { Reason = "MissingColumn" };
        }

        private static string ListColumns(ColumnSet columns)
        {
            if (columns.Count == 0) return "(none)";
            const int max = 60;
            var shown = columns.Names.Take(max).Select(n => n.Length == 0 ? "(empty)" : n);
            return string.Join(", ", shown) + (columns.Count > max ? $" and {columns.Count - max} more" : "");
        }

        private static string JoinOr(IReadOnlyList<string> items, string conjunction)
        {
            if (items.Count == 0) return "";
            if (items.Count == 1) return items[0];
            return string.Join(", ", items.Take(items.Count - 1)) + $" {conjunction} " + items[items.Count - 1];
        }

        private static readonly bool WindowsPaths = System.IO.Path.DirectorySeparatorChar == '\\';
        private static StringComparer PathComparer => WindowsPaths ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

        private IEnumerable<(string File, bool Explicit)> Expand(string path)
        {
            if (string.IsNullOrWhiteSpace(path))
                throw new EvidenceException("An evidence path is empty", path ?? "") { Reason = "NotFound" };
            string name = System.IO.Path.GetFileName(path);
            if (name.IndexOfAny(new[] { '*', '?' }) >= 0)
            {
                string directory = System.IO.Path.GetDirectoryName(path) ?? "";
                if (directory.Length == 0) directory = ".";
                if (!Directory.Exists(directory))
                    throw new EvidenceException($"{path}: the directory {directory} does not exist", path) { Reason = "NotFound" };
                var matches = Directory.EnumerateFiles(directory)
                    .Where(f => WildcardMatch(System.IO.Path.GetFileName(f), name))
                    .OrderBy(f => f, StringComparer.Ordinal)
                    .ToList();
                if (matches.Count == 0)
                    throw new EvidenceException($"{path}: no file matches", path) { Reason = "NotFound" };
                return matches.Select(f => (f, false));
            }
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path).OrderBy(f => f, StringComparer.Ordinal).ToList();
                if (files.Count == 0) log.Warning($"{path}: the directory has no files");
                return files.Select(f => (f, false));
            }
            if (File.Exists(path)) return new[] { (path, true) };
            throw new EvidenceException($"{path}: no such file or directory", path) { Reason = "NotFound" };
        }

        /// <summary>'*' any run of characters, '?' one character; case-insensitive where paths are.</summary>
        internal static bool WildcardMatch(string text, string pattern)
        {
            int t = 0, p = 0, star = -1, mark = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && (pattern[p] == '?' || SameChar(pattern[p], text[t]))) { t++; p++; }
                else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = t; }
                else if (star >= 0) { p = star + 1; t = ++mark; }
                else return false;
            }
            while (p < pattern.Length && pattern[p] == '*') p++;
            return p == pattern.Length;
        }

        private static bool SameChar(char a, char b) =>
            a == b || (WindowsPaths && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
    }
}
