using System;
using System.Collections.Generic;

namespace RunCommandHunt.EvidenceGenerator
{
    /// <summary>Something that happens at a moment and leaves rows in one or more tables, all at or after that moment.</summary>
    internal interface IActivitySource
    {
        bool HasNext { get; }
        long NextStartTicks { get; }
        void EmitNext(Timeline timeline);
    }

    /// <summary>A table's output: rows wait in a small reorder buffer until no later activity can write
    /// an earlier row, so every file is sorted by TimeGenerated while memory stays bounded.</summary>
    internal sealed class TableSink
    {
        private readonly TableWriter _writer;
        private readonly PriorityQueue<Row, (long Ticks, long Seq)> _pending = new PriorityQueue<Row, (long, long)>();
        private long _seq;

        public TableSink(TableWriter writer) { _writer = writer; }

        public TableSchema Schema => _writer.Schema;
        public string Path => _writer.Path;
        public long RowsWritten => _writer.Rows;

        public void Add(Row row) => _pending.Enqueue(row, (row.TimeGenerated.Ticks, _seq++));

        public void FlushBefore(long ticks)
        {
            while (_pending.TryPeek(out var row, out var key) && key.Ticks < ticks)
            {
                _pending.Dequeue();
                _writer.Write(row);
            }
        }

        public void FlushAll() => FlushBefore(long.MaxValue);
    }

    /// <summary>Runs the activity sources in start-time order and routes their rows to the three tables.</summary>
    internal sealed class Timeline
    {
        private readonly List<IActivitySource> _sources = new List<IActivitySource>();
        private long _activityStart = long.MinValue;

        public Timeline(TableSink azureActivity, TableSink deviceFileEvents, TableSink deviceEvents)
        {
            AzureActivity = azureActivity; DeviceFileEvents = deviceFileEvents; DeviceEvents = deviceEvents;
        }

        public TableSink AzureActivity { get; }
        public TableSink DeviceFileEvents { get; }
        public TableSink DeviceEvents { get; }

        public void AddSource(IActivitySource source) => _sources.Add(source);

        public void Emit(TableSink sink, Row row)
        {
            // A row before its activity's start would break the sort guarantee: a generator bug, not bad input.
            if (row.TimeGenerated.Ticks < _activityStart)
                throw new InvalidOperationException($"{row.Schema.Name} row at {Formats.Iso7(row.TimeGenerated)} precedes its activity.");
            sink.Add(row);
        }

        public void Run()
        {
            while (true)
            {
                IActivitySource? next = null;
                foreach (var s in _sources)
                    if (s.HasNext && (next == null || s.NextStartTicks < next.NextStartTicks)) next = s;
                if (next == null) break;
                _activityStart = next.NextStartTicks;
                AzureActivity.FlushBefore(_activityStart);
                DeviceFileEvents.FlushBefore(_activityStart);
                DeviceEvents.FlushBefore(_activityStart);
                next.EmitNext(this);
            }
            AzureActivity.FlushAll();
            DeviceFileEvents.FlushAll();
            DeviceEvents.FlushAll();
        }
    }

    /// <summary>Activities at fixed times (the hand-placed rows of the bundled sample).</summary>
    internal sealed class ScheduledSource : IActivitySource
    {
        private readonly List<(long Ticks, Action<Timeline> Emit)> _items;
        private int _next;

        public ScheduledSource(IEnumerable<(DateTime At, Action<Timeline> Emit)> items)
        {
            _items = new List<(long, Action<Timeline>)>();
            foreach (var (at, emit) in items) _items.Add((at.Ticks, emit));
            _items.Sort((a, b) => a.Ticks.CompareTo(b.Ticks));
        }

        public bool HasNext => _next < _items.Count;
        public long NextStartTicks => _items[_next].Ticks;
        public void EmitNext(Timeline timeline) => _items[_next++].Emit(timeline);
    }

    /// <summary>count activities spread evenly (with jitter) over [start, start+span): exact count, sorted, no list in memory.</summary>
    internal sealed class SpreadSource : IActivitySource
    {
        private readonly long _start, _span;
        private readonly long _count;
        private readonly Prng _prng;
        private readonly Action<Timeline, DateTime> _emit;
        private long _i;
        private long _nextTicks;

        public SpreadSource(DateTime start, TimeSpan span, long count, Prng prng, Action<Timeline, DateTime> emit)
        {
            _start = start.Ticks; _span = span.Ticks; _count = count; _prng = prng; _emit = emit;
            Advance();
        }

        private void Advance()
        {
            if (_i < _count)
                _nextTicks = _start + (long)(_span * ((_i + _prng.NextDouble()) / _count));
        }

        public bool HasNext => _i < _count;
        public long NextStartTicks => _nextTicks;

        public void EmitNext(Timeline timeline)
        {
            var at = new DateTime(_nextTicks, DateTimeKind.Utc);
            _i++;
            Advance();
            _emit(timeline, at);
        }
    }
}
