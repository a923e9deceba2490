using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using RunCommandHunt.Engine.Diagnostics;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>How a time range is cut into queries.</summary>
    public sealed class ChunkedQueryOptions
    {
        /// <summary>First cut of the range. Default 1 day.</summary>
        public TimeSpan ChunkSize { get; set; } = TimeSpan.FromDays(1);

        /// <summary>A window this short is not split further; if it still hits a limit the hunt stops. Default 1 s.</summary>
        public TimeSpan MinimumWindow { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>
        /// A result with this many rows is taken as truncated and its window split. Default: the service's limit
        /// (500,000 Log Analytics, 100,000 Defender XDR).
        /// </summary>
        public int? RowLimit { get; set; }

        /// <summary>Split any window that returns more rows than this (to bound memory per chunk). Default: no bound.</summary>
        public int? MaxRows { get; set; }

        internal void Validate()
        {
            if (ChunkSize <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, "The chunk size must be positive.");
            if (MinimumWindow <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MinimumWindow), MinimumWindow, "The minimum window must be positive.");
            if (RowLimit.HasValue && RowLimit.Value < 1) throw new ArgumentOutOfRangeException(nameof(RowLimit), RowLimit, "The row limit must be at least 1.");
            if (MaxRows.HasValue && MaxRows.Value < 0) throw new ArgumentOutOfRangeException(nameof(MaxRows), MaxRows, "MaxRows cannot be negative.");
        }
    }

    /// <summary>
    /// Runs one query shape over a time range without losing rows: the range is cut in chunks; a chunk whose answer may
    /// be incomplete (row limit reached, PartialError, 504 or client timeout after retries, body too large) is halved
    /// and both halves asked again, down to <see cref="ChunkedQueryOptions.MinimumWindow"/>; below that the hunt stops
    /// with a <see cref="LiveQueryException"/> naming the window. Complete chunks are yielded in time order as they come.
    /// </summary>
    public sealed class ChunkedQueryRunner
    {
        private readonly ILogsQueryClient _client;
        private readonly ChunkedQueryOptions _options;
        private readonly IHuntLog _log;

        public ChunkedQueryRunner(ILogsQueryClient client, ChunkedQueryOptions? options = null, IHuntLog? log = null)
        {
            _client = client ?? throw new ArgumentNullException(nameof(client));
            _options = options ?? new ChunkedQueryOptions();
            _options.Validate();
            _log = log ?? NullHuntLog.Instance;
        }

        public ILogsQueryClient Client => _client;

        private int RowLimit => _options.RowLimit ?? _client.ServiceRowLimit;

        /// <summary>
        /// The complete results over <paramref name="range"/>, one per final window, in time order.
        /// <paramref name="buildQuery"/> gets each window and must filter the time column to exactly [Start, End);
        /// it may return null when the window needs no request (nothing to ask for in it).
        /// </summary>
        public IEnumerable<LiveQueryResult> Run(string activity, QueryWindow range, Func<QueryWindow, string?> buildQuery,
            CancellationToken cancellationToken)
        {
            if (buildQuery == null) throw new ArgumentNullException(nameof(buildQuery));
            // Checked before the first request, not when the first result is pulled from the iterator.
            _client.ValidateWindow(range);
            return RunCore(activity, range, buildQuery, cancellationToken);
        }

        /// <summary>
        /// One query over the whole range, never split (the seed queries: splitting would change their joins and counts).
        /// Any sign of an incomplete answer is a <see cref="LiveQueryException"/>.
        /// </summary>
        public LiveQueryResult RunWhole(string activity, QueryWindow range, string query, CancellationToken cancellationToken)
        {
            _client.ValidateWindow(range);
            _log.Progress(activity, $"querying {range}", -1);
            _log.Verbose($"{_client.Target}: query for {range}:{Environment.NewLine}{query}");
            var result = _client.Query(query, range, cancellationToken);
            LogStatistics(result);
            var why = Incomplete(result);
            if (why != null)
            {
                throw new LiveQueryException(
                    result.PartialError != null ? LiveQueryFailure.PartialResult : LiveQueryFailure.LimitExceeded,
                    _client.Target, why + "; this query cannot be split without changing its result", range,
                    200, result.PartialError,
                    "Hunt a shorter time range, or run the hunt client-side (without -ServerSide), which splits windows safely");
            }
            _log.Progress(activity, $"{result.Rows.Count} rows", 100);
            return result;
        }

        private IEnumerable<LiveQueryResult> RunCore(string activity, QueryWindow range, Func<QueryWindow, string?> buildQuery,
            CancellationToken cancellationToken)
        {
            // A stack of windows still to do, earliest on top, so results come out in time order.
            var pending = new Stack<QueryWindow>();
            var chunks = range.Split(_options.ChunkSize);
            for (int i = chunks.Count - 1; i >= 0; i--) pending.Push(chunks[i]);

            long rows = 0;
            long coveredTicks = 0;
            int queries = 0;
            long totalTicks = range.Duration.Ticks;

            while (pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var window = pending.Pop();
                var percent = (int)(coveredTicks * 100.0 / totalTicks);
                _log.Progress(activity,
                    $"{rows} rows so far, {pending.Count + 1} windows left; querying {window}", percent);

                var query = buildQuery(window);
                if (query == null)
                {
                    coveredTicks += window.Duration.Ticks;
                    continue;
                }

                LiveQueryResult? result = null;
                LiveQueryException? failure = null;
                string? splitBecause;
                try
                {
                    _log.Verbose($"{_client.Target}: query {++queries} for {window}:{Environment.NewLine}{query}");
                    result = _client.Query(query, window, cancellationToken);
                    LogStatistics(result);
                    splitBecause = Incomplete(result);
                }
                catch (LiveQueryException ex) when (IsSplittable(ex))
                {
                    failure = ex;
                    splitBecause = ex.Summary;
                }

                if (splitBecause != null)
                {
                    if (!CanSplit(window))
                    {
                        var smallest = $" even over {Describe(window.Duration)}, the smallest window";
                        if (failure != null) throw failure.WithWindow(window, summary: failure.Summary + smallest);
                        throw new LiveQueryException(
                            result!.PartialError != null ? LiveQueryFailure.PartialResult : LiveQueryFailure.LimitExceeded,
                            _client.Target, splitBecause + smallest, window, 200, result.PartialError,
                            "Narrow the hunt (fewer machines or a shorter range); a smaller minimum window splits further");
                    }
                    var (first, second) = window.Halve();
                    _log.Verbose($"{_client.Target}: window {window} may be incomplete ({splitBecause}); asking again in halves {first} and {second}.");
                    pending.Push(second);
                    pending.Push(first);
                    continue;
                }

                rows += result!.Rows.Count;
                coveredTicks += window.Duration.Ticks;
                yield return result;
            }
            _log.Progress(activity, $"{rows} rows in {queries} queries", 100);
        }

        /// <summary>Why a result cannot be trusted to be whole, or null when it can.</summary>
        private string? Incomplete(LiveQueryResult result)
        {
            if (result.PartialError != null)
                return "the service returned a partial result (" + result.PartialError + ")";
            if (result.Rows.Count >= RowLimit)
                return $"{result.Rows.Count} rows reached the row limit of {RowLimit}";
            if (_options.MaxRows.HasValue && result.Rows.Count > _options.MaxRows.Value)
                return $"{result.Rows.Count} rows are more than MaxRows ({_options.MaxRows.Value})";
            return null;
        }

        private static bool IsSplittable(LiveQueryException ex) =>
            ex.Reason == LiveQueryFailure.Timeout
            || ex.Reason == LiveQueryFailure.LimitExceeded
            || ex.Reason == LiveQueryFailure.PartialResult;

        private bool CanSplit(QueryWindow window) =>
            window.Duration > _options.MinimumWindow && window.Duration.Ticks >= 2;

        private void LogStatistics(LiveQueryResult result)
        {
            var stats = result.Statistics != null ? "; statistics " + result.Statistics : "";
            _log.Verbose($"{_client.Target}: window {result.Window}: {result.Rows.Count} rows{stats}");
        }

        internal static string Describe(TimeSpan t)
        {
            if (t.TotalDays >= 1) return t.TotalDays.ToString("0.###", CultureInfo.InvariantCulture) + " days";
            if (t.TotalHours >= 1) return t.TotalHours.ToString("0.###", CultureInfo.InvariantCulture) + " hours";
            if (t.TotalMinutes >= 1) return t.TotalMinutes.ToString("0.###", CultureInfo.InvariantCulture) + " minutes";
            return t.TotalSeconds.ToString("0.#######", CultureInfo.InvariantCulture) + " seconds";
        }
    }
}
