using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Kql;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>How a live hunt fetches evidence.</summary>
    public sealed class LiveHuntOptions
    {
        public ChunkedQueryOptions Chunking { get; set; } = new ChunkedQueryOptions();

        /// <summary>Machine windows per DeviceFileEvents / DeviceEvents query (one query per batch, not per operation).</summary>
        public int DevicesPerQuery { get; set; } = 50;

        /// <summary>
        /// How long after an operation ends its script's PowerShell events are still fetched (default behaviour only).
        /// Action Run Command scripts run at most 90 minutes.
        /// </summary>
        public TimeSpan ScriptRunWindow { get; set; } = TimeSpan.FromHours(2);

        /// <summary>
        /// Extra time before StartTime and after EndTime in which script files are fetched. Default 0: every mode
        /// links a file only when written within [StartTime, EndTime].
        /// </summary>
        public TimeSpan FileEventPadding { get; set; } = TimeSpan.Zero;

        internal void Validate()
        {
            Chunking.Validate();
            if (DevicesPerQuery < 1) throw new ArgumentOutOfRangeException(nameof(DevicesPerQuery), DevicesPerQuery, "At least one machine per query.");
            if (ScriptRunWindow < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ScriptRunWindow), ScriptRunWindow, "Cannot be negative.");
            if (FileEventPadding < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(FileEventPadding), FileEventPadding, "Cannot be negative.");
        }
    }

    /// <summary>
    /// Evidence from a live workspace or Defender XDR, as the same records the file readers produce: the entry point
    /// the cmdlets call. Queries filter on the server (only Run Command operations; only the handlers' script files on
    /// the operations' machines; only "-File" PowerShell events), run in chunks that split until complete, and stream
    /// records as each chunk completes. A row the mapper rejects goes to <see cref="IHuntLog.RowRejected"/>.
    /// </summary>
    public sealed class LiveEvidenceSource
    {
        private readonly ILogsQueryClient _client;
        private readonly LiveHuntOptions _options;
        private readonly IHuntLog _log;
        private readonly ChunkedQueryRunner _runner;

        public LiveEvidenceSource(ILogsQueryClient client, LiveHuntOptions? options = null, IHuntLog? log = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _options = options ?? new LiveHuntOptions();
            _options.Validate();
            _log = log ?? NullHuntLog.Instance;
            _runner = new ChunkedQueryRunner(client, _options.Chunking, _log);
        }

        public ILogsQueryClient Client => _client;

        /// <summary>AzureActivity rows of every Run Command operation in <paramref name="window"/>.</summary>
        public IEnumerable<AzureActivityRecord> GetAzureActivity(QueryWindow window, CancellationToken cancellationToken)
        {
            var results = _runner.Run("AzureActivity", window, RunCommandQueries.AzureActivity, cancellationToken);
            return Map<AzureActivityRecord>(results, "AzureActivity", EvidenceRowMapper.TryMapAzureActivity);
        }

        /// <summary>
        /// Script files written by the Run Command handlers on the operations' machines, each within its operation's
        /// [StartTime, EndTime] (plus <see cref="LiveHuntOptions.FileEventPadding"/>). The same rows serve every mode.
        /// </summary>
        public IEnumerable<DeviceFileEventRecord> GetDeviceFileEvents(IEnumerable<RunCommandOperation> operations, CancellationToken cancellationToken)
        {
            var pad = _options.FileEventPadding;
            var windows = DeviceWindows(operations, op => QueryWindow.FromInclusive(op.StartTime - pad, op.EndTime + pad));
            if (windows.Count > 0) _client.ValidateWindow(DeviceWindow.Span(windows));
            return Batched<DeviceFileEventRecord>("DeviceFileEvents", windows, batch =>
            {
                var span = DeviceWindow.Span(batch);
                return _runner.Run("DeviceFileEvents", span, w => RunCommandQueries.DeviceFileEvents(_client.Kind, batch, w), cancellationToken);
            }, EvidenceRowMapper.TryMapDeviceFileEvent);
        }

        /// <summary>
        /// PowerShell events with "-File" in the command line. In the seeds' modes (HuntingQuery, AnalyticRule) every
        /// machine in <paramref name="huntWindow"/> - the seeds join these events on the script name alone, so rows
        /// from any machine can change their results. In the default mode, only the operations' machines, from each
        /// StartTime to <see cref="LiveHuntOptions.ScriptRunWindow"/> after its EndTime.
        /// </summary>
        /// <param name="huntWindow">The hunt's range (the seeds' query period). Null: from the first operation's
        /// StartTime to the last EndTime plus ScriptRunWindow.</param>
        public IEnumerable<DeviceEventRecord> GetDeviceEvents(IEnumerable<RunCommandOperation> operations, CompatibilityMode mode,
            QueryWindow? huntWindow, CancellationToken cancellationToken)
        {
            var ops = operations as IReadOnlyCollection<RunCommandOperation> ?? operations.ToList();
            if (mode != CompatibilityMode.None)
            {
                QueryWindow range;
                if (huntWindow.HasValue) range = huntWindow.Value;
                else if (ops.Count == 0) return Enumerable.Empty<DeviceEventRecord>();
                else range = new QueryWindow(ops.Min(o => o.StartTime), ops.Max(o => o.EndTime).AddTicks(1) + _options.ScriptRunWindow);
                var results = _runner.Run("DeviceEvents", range, w => RunCommandQueries.DeviceEvents(_client.Kind, null, w), cancellationToken);
                return Map<DeviceEventRecord>(results, "DeviceEvents", EvidenceRowMapper.TryMapDeviceEvent);
            }

            var after = _options.ScriptRunWindow;
            var windows = DeviceWindows(ops, op => QueryWindow.FromInclusive(op.StartTime, op.EndTime + after));
            if (windows.Count > 0) _client.ValidateWindow(DeviceWindow.Span(windows));
            return Batched<DeviceEventRecord>("DeviceEvents", windows, batch =>
            {
                var span = DeviceWindow.Span(batch);
                return _runner.Run("DeviceEvents", span, w => RunCommandQueries.DeviceEvents(_client.Kind, batch, w), cancellationToken);
            }, EvidenceRowMapper.TryMapDeviceEvent);
        }

        /// <summary>
        /// A seed query run as written on the server over the whole window - never split, since that would change its
        /// joins and counts. Rows are (column names, values) as the service returned them.
        /// </summary>
        public LiveQueryResult RunSeedQuery(CompatibilityMode mode, QueryWindow window, CancellationToken cancellationToken)
        {
            var text = SeedQueries.For(mode)
                ?? throw new ArgumentException("Only the HuntingQuery and AnalyticRule modes have a seed query to run on the server.", nameof(mode));
            return _runner.RunWhole(mode == CompatibilityMode.HuntingQuery ? "Hunting query 55fbc363" : "Analytic rule 5239248b", window, text, cancellationToken);
        }

        /// <summary>
        /// The whole hunt as one query on the server (the server-side mode): the seed of the mode, or for the default
        /// the corrected hunt. Never split: splitting would change its joins and counts. Rows come back as objects.
        /// </summary>
        public LiveQueryResult RunHunt(CompatibilityMode mode, QueryWindow window, bool uniqueOnly, CancellationToken cancellationToken)
        {
            if (mode != CompatibilityMode.None) return RunSeedQuery(mode, window, cancellationToken);
            // The timespan limits the tables to the window; the query's own lookback must not cut it shorter.
            var text = CorrectedHuntQuery.Build(window.End - window.Start + TimeSpan.FromMinutes(1), uniqueOnly);
            return _runner.RunWhole("Corrected hunt", window, text, cancellationToken);
        }

        private IReadOnlyList<DeviceWindow> DeviceWindows(IEnumerable<RunCommandOperation> operations, Func<RunCommandOperation, QueryWindow> window)
        {
            var list = new List<DeviceWindow>();
            foreach (var op in operations)
            {
                if (string.IsNullOrEmpty(op.VirtualMachineName))
                {
                    // Nothing to match DeviceName against; say so rather than drop it quietly.
                    _log.Warning($"Run Command operation {op.CorrelationId} at {QueryWindow.Format(op.StartTime)} has no machine name; no MDE evidence is fetched for it.");
                    continue;
                }
                try
                {
                    KqlLiteral.String(op.VirtualMachineName + ".", nameof(op.VirtualMachineName));
                }
                catch (KqlLiteralException ex)
                {
                    // One unusable name must not stop the hunt for every other machine; it is named, not dropped quietly.
                    _log.Warning($"Run Command operation {op.CorrelationId} at {QueryWindow.Format(op.StartTime)}: {ex.Message} No MDE evidence is fetched for it.");
                    continue;
                }
                list.Add(new DeviceWindow(op.VirtualMachineName, window(op)));
            }
            return DeviceWindow.Merge(list);
        }

        private IEnumerable<TRecord> Batched<TRecord>(string table, IReadOnlyList<DeviceWindow> windows,
            Func<IReadOnlyList<DeviceWindow>, IEnumerable<LiveQueryResult>> run, MapRow<TRecord> map) where TRecord : class
        {
            // Batches of nearby windows (they are sorted by start) keep each batch's span, and so its chunks, short.
            for (int i = 0; i < windows.Count; i += _options.DevicesPerQuery)
            {
                var batch = windows.Skip(i).Take(_options.DevicesPerQuery).ToList();
                foreach (var record in Map(run(batch), table, map)) yield return record;
            }
        }

        private delegate bool MapRow<TRecord>(ColumnSet c, IReadOnlyList<string?> values, RecordOrigin origin, out TRecord? record, out EvidenceRowError? error)
            where TRecord : class;

        private IEnumerable<TRecord> Map<TRecord>(IEnumerable<LiveQueryResult> results, string table, MapRow<TRecord> map) where TRecord : class
        {
            foreach (var result in results)
            {
                if (result.Rows.Count == 0) continue;
                var columns = new ColumnSet(result.ColumnNames);
                var source = $"{_client.Target} {table} {result.Window}";
                for (int i = 0; i < result.Rows.Count; i++)
                {
                    if (map(columns, result.Rows[i], new RecordOrigin(source, i + 1), out var record, out var error))
                        yield return record!;
                    else if (error != null)
                        _log.RowRejected(error);
                }
            }
        }
    }
}
