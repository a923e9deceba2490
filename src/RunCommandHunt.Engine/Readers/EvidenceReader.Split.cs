using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers.Formats;

namespace RunCommandHunt.Engine.Readers
{
    public sealed partial class EvidenceReader
    {
        /// <summary>Plain UTF-8 CSV files at least this large are read in two halves at once (when there are two cores).</summary>
        internal long SplitMinBytes { get; set; } = 64L << 20;

        /// <summary>CSV files at least this large are read with the vectorised structural index (CsvRowSource.IndexMinBytes).</summary>
        internal long CsvIndexMinBytes { get; set; } = CsvRowSource.DefaultIndexMinBytes;

        /// <summary>
        /// The second half of a large CSV file, read on another core while the caller reads the first half up to where
        /// this one began (the first line break after the middle). That point is a row boundary unless a quoted field
        /// spans it: the first half's reader then reads over it (CsvRowSource.CrossedStop) to the end of the file and
        /// this half is thrown away. Its records go into a part of the caller's fold (a list of them, or what a stage
        /// keeps of them), its counts and row errors are kept aside; all are handed on after the first half's, with
        /// line numbers counted on from where the first half ended, so that the result is the one a single reader gives.
        /// </summary>
        private sealed class SecondHalf<T> : IDisposable where T : class
        {
            private readonly CsvRowSource first;
            private readonly CancellationTokenSource stop;
            private readonly Task<Half?> read;
            private long bytesDone;

            /// <summary>Bytes of this half read so far, for the file's progress.</summary>
            public long BytesDone => Interlocked.Read(ref bytesDone);

            private SecondHalf(CsvRowSource first, CancellationTokenSource stop, Task<Half?> read)
            {
                this.first = first;
                this.stop = stop;
                this.read = read;
            }

            public static SecondHalf<T>? Start(EvidenceReader reader, RowSource source, TableBinding binding, RowPrefilter.Bound? prefilter,
                Func<T, bool>? keep, Mapper<T> map, Func<IEvidenceFold<T>> newPart, CancellationToken token)
            {
                if (!(source is CsvRowSource first) || !first.Stream.IsPlainUtf8 || reader.MaxParallelFiles < 2 || source.TotalBytes < reader.SplitMinBytes)
                    return null;
                long middle = MiddleLineStart(source.Path, source.TotalBytes) - first.Stream.BomLength;
                if (middle <= first.Offset) return null;
                first.StopAt = middle;

                var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
                SecondHalf<T>? self = null;
                var read = Task.Run(() =>
                {
                    var log = new KeptLog();
                    var stats = new FileReadStatistics(source.Path, binding.Table, source.Format);
                    var part = newPart();
                    var stream = EvidenceStream.Open(source.Path);
                    var input = new FileStream(source.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.SequentialScan);
                    input.Position = first.Stream.BomLength + middle;
                    using (var half = new CsvRowSource(stream, first, input, middle, line: 1) { IndexMinBytes = first.IndexMinBytes })
                    {
                        var rows = new FileRows<T>(reader, log, half, stats, binding, prefilter, keep, map, stop.Token, reportProgress: false,
                            onCheck: s => { if (self != null) Interlocked.Exchange(ref self.bytesDone, ((CsvRowSource)s).Offset - middle); });
                        while (rows.NextKept(out var record)) part.Add(record!);
                    }
                    return (Half?)new Half(part, stats, log);
                }, stop.Token);
                self = new SecondHalf<T>(first, stop, read);
                return self;
            }

            /// <summary>
            /// Once the first half's reader has stopped: the second half's part, its counts and row errors added to
            /// the file's. Nothing when the split fell inside a row (the first half's reader went on to the end) or
            /// when the second half failed: the first half's reader is then let read on, and meets the same failure at
            /// the same row.
            /// </summary>
            public IEvidenceFold<T>? Join(FileReadStatistics stats, IHuntLog log)
            {
                if (first.CrossedStop) return null;
                Half? half;
                try
                {
                    half = read.GetAwaiter().GetResult();
                }
                catch (Exception)
                {
                    half = null;
                }
                if (half == null)
                {
                    first.StopAt = long.MaxValue;
                    return null;
                }
                half.AddTo(stats, first.LineNumber, log);
                return half.Part;
            }

            public void Dispose()
            {
                stop.Cancel();
                try { read.Wait(); }
                catch (AggregateException) { }
                stop.Dispose();
            }

            /// <summary>Offset of the first line start after the middle of the file (its length when none).</summary>
            private static long MiddleLineStart(string path, long length)
            {
                using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
                long at = length / 2;
                file.Position = at;
                var buffer = new byte[1 << 16];
                int n;
                while ((n = file.Read(buffer, 0, buffer.Length)) > 0)
                {
                    int k = Array.IndexOf(buffer, (byte)'\n', 0, n);
                    if (k >= 0) return at + k + 1;
                    at += n;
                }
                return length;
            }

            internal sealed class Half
            {
                public Half(IEvidenceFold<T> part, FileReadStatistics stats, KeptLog log)
                {
                    Part = part; Stats = stats; Log = log;
                }

                public IEvidenceFold<T> Part { get; }
                public FileReadStatistics Stats { get; }
                public KeptLog Log { get; }

                /// <summary>Adds this half's counts to the file's, and reports its row errors, its lines counted on
                /// from <paramref name="firstLine"/> (the line the first half ended on).</summary>
                public void AddTo(FileReadStatistics stats, long firstLine, IHuntLog log)
                {
                    long shift = firstLine - 1;
                    stats.Read += Stats.Read;
                    stats.Used += Stats.Used;
                    stats.Filtered += Stats.Filtered;
                    stats.Rejected += Stats.Rejected;
                    stats.InvalidAdditionalFields += Stats.InvalidAdditionalFields;
                    foreach (var e in Log.Rejected)
                        log.RowRejected(new EvidenceRowError(e.Source, e.Line + shift, e.Column, e.Value, e.Reason));
                    Part.ShiftLines(shift);
                }
            }
        }

        /// <summary>The second half's row errors, kept until the first half has been read.</summary>
        private sealed class KeptLog : IHuntLog
        {
            public readonly List<EvidenceRowError> Rejected = new List<EvidenceRowError>();
            public void Verbose(string message) { }
            public void Warning(string message) { }
            public void RowRejected(EvidenceRowError error) => Rejected.Add(error);
            public void Progress(string activity, string status, int percent) { }
        }
    }
}
