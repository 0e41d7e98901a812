using System.Threading.Channels;
using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// Runs several projections from one read of <c>$all</c>: each event is read and deserialised once, handed to every
/// projection that wants it, and the order projections share one fold of each order (<see cref="StreamStates"/> hands
/// the state after an event to every projection asking for that same event). It catches up to an end
/// (<see cref="CatchUpAsync"/>: rebuild, verify) or follows the log live (<see cref="FollowAsync"/>: the
/// <see cref="ProjectionHost"/>'s projections). Five runners of their own read, deserialised and folded the same events
/// up to five times: a large part of a rebuild's CPU, and while following live five readers woke up and queried the
/// store after every append (order summary lag p50/p99 45/139 ms at 1,000 orders/s with all five running on PostgreSQL,
/// 17/71 ms with the summary's runner alone).
/// <para>
/// Each projection keeps its own checkpoint and writes its own transactions (rows and checkpoint together), on a writer
/// of its own: the events are applied in memory to each projection's open batch, and a projection's writer takes the
/// open batch whenever it is idle. So batches form by themselves (an idle system writes single events within
/// milliseconds, a backlog up to <see cref="CatchUpBatch"/> events per transaction), and a slow projection never holds
/// back a fast one's commits; the reading stops only when a projection has <see cref="CatchUpBatch"/> events waiting.
/// After a crash each projection resumes from where it committed: the read starts at the oldest checkpoint and a
/// projection skips what it has already applied.
/// </para>
/// <para>
/// A projection that fails on a batch (a poison event, a write it cannot make) has that batch handed to its own
/// <see cref="ProjectionRunner"/>, which retries transient errors and, for a poison event, commits the events before it
/// and records the error; a projection stopped that way drops out and the others go on.
/// </para>
/// </summary>
public sealed class SharedCatchUp(IEventStore store, ProjectionDatabase database, IReadOnlyList<IProjection> projections, TimeProvider? time = null)
{
    readonly TimeProvider _time = time ?? TimeProvider.System;
    long _eventsRead;

    /// <summary>
    /// Events per page read and at most per transaction. Pages much larger than this are no faster on PostgreSQL (10,000
    /// was 5–10 % slower: a page's events and rows live through more collections of the GC), and on SQLite the write
    /// lock is held for the whole transaction.
    /// </summary>
    public int CatchUpBatch { get; init; } = 5_000;

    /// <summary>Log events read so far (of any of the projections), for progress reports.</summary>
    public long EventsRead => Interlocked.Read(ref _eventsRead);

    /// <summary>
    /// Applies everything after each projection's checkpoint up to <paramref name="upTo"/> (or the end of the log) and
    /// returns the checkpoints. <paramref name="progress"/> gets the position every projection has written up to,
    /// each time that moves. A projection stopped by a poison event drops out; the first such stop is thrown at the end.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> CatchUpAsync(long upTo, IProgress<long>? progress, CancellationToken ct)
    {
        var stopped = new List<ProjectionStoppedException>();
        var lanes = await RunAsync((from, filter, events, token) => ReadPagesAsync(from, upTo, filter, events, token), stopped.Add, progress, ct);
        if (stopped.Count > 0) throw stopped[0];
        return lanes.ToDictionary(l => l.Projection.Name, l => l.Committed);
    }

    /// <summary>
    /// Follows the log live until cancelled. A projection stopped by a poison event (also one whose checkpoint already
    /// records one) is reported to <paramref name="stopped"/> and drops out; when none is left, this returns.
    /// Failures of the store or of the read-model database as a whole are thrown (after each projection's writes that
    /// could be made).
    /// </summary>
    public Task FollowAsync(Action<ProjectionStoppedException> stopped, CancellationToken ct) =>
        RunAsync(SubscribeAsync, stopped, null, ct);

    /// <summary>One projection's place in the shared read: what it has applied, what waits to be written, its writer.</summary>
    sealed class Lane(IProjection projection, long checkpoint, StreamStates states, ProjectionDatabase database)
    {
        public IProjection Projection { get; } = projection;

        /// <summary>Its writer's connection, kept across its batches (PostgreSQL).</summary>
        public ProjectionDatabase.WriterConnection Connection { get; } = new(database);

        /// <summary>Its checkpoint: the last event it committed.</summary>
        public long Committed { get; set; } = checkpoint;

        /// <summary>The last event handed to it (it skips those at or before).</summary>
        public long Applied { get; set; } = checkpoint;

        /// <summary>The position up to which it has written everything it wants (for progress).</summary>
        public long DoneThrough { get; set; } = checkpoint;

        public ProjectionBatch Open { get; set; } = new(database, states);
        public List<RecordedEvent> Events { get; set; } = [];
        public bool Failed { get; set; }  // the open batch failed to apply an event: its events go to the projection's own runner
        public Task Writing { get; set; } = Task.CompletedTask;
        public ProjectionStoppedException? Stopped { get; set; }
    }

    async Task<List<Lane>> RunAsync(Func<long, EventFilter?, ChannelWriter<RecordedEvent>, CancellationToken, Task> read, Action<ProjectionStoppedException> stopped,
        IProgress<long>? progress, CancellationToken ct)
    {
        var states = new StreamStates(store);
        var lanes = new List<Lane>();
        await using (var conn = await database.OpenAsync(ct))
            foreach (var projection in projections)
            {
                var checkpoint = await Checkpoints.ReadAsync(conn, projection.Name);
                if (checkpoint?.Error is { } error)
                    stopped(new ProjectionStoppedException(projection.Name, checkpoint.ErrorPosition ?? checkpoint.Position, new InvalidOperationException(error)));
                else
                {
                    lanes.Add(new Lane(projection, checkpoint?.Position ?? 0, states, database));
                    await projection.WarmAsync(conn, states, ct);
                }
            }
        var active = new List<Lane>(lanes);
        if (active.Count == 0) return lanes;
        foreach (var lane in active) await lane.Connection.PrimeAsync(lane.Projection.Tables.Select(t => t.Table), ct);

        var filter = Union(active.Select(l => l.Projection.Filter));
        var events = Channel.CreateBounded<RecordedEvent>(new BoundedChannelOptions(CatchUpBatch) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = Task.Run(async () =>
        {
            try
            {
                await read(active.Min(l => l.Committed), filter, events.Writer, stop.Token);
                events.Writer.TryComplete();
            }
            catch (Exception e)
            {
                events.Writer.TryComplete(e);
            }
        }, CancellationToken.None);

        long reported = active.Min(l => l.DoneThrough), position = reported;
        var chunk = new List<RecordedEvent>(CatchUpBatch);
        Task<bool>? more = null;
        try
        {
            while (active.Count > 0)
            {
                more ??= events.Reader.WaitToReadAsync(ct).AsTask();
                // Wake up for new events, and for a writer that finished (its projection may have events waiting, or have stopped).
                // A writer may have finished since the hand-over below looked at it: then do not wait at all (its events
                // would otherwise wait for the next append, however long that takes).
                var writers = active.Where(l => !l.Writing.IsCompleted).Select(l => l.Writing).ToList();
                var ready = active.Any(l => l.Writing.IsCompleted && (l.Events.Count > 0 || l.Stopped is not null));
                if (!ready)
                {
                    if (writers.Count > 0 && !more.IsCompleted) await Task.WhenAny([more, .. writers]);
                    else await more;
                }
                if (more.IsCompleted)
                {
                    if (!await more) break;  // the end (a failed read throws here: the store's trouble, not a projection's)
                    more = null;
                    while (chunk.Count < CatchUpBatch && events.Reader.TryRead(out var e)) chunk.Add(e);
                    Interlocked.Add(ref _eventsRead, chunk.Count);
                    if (chunk.Count > 0)
                    {
                        await ApplyAsync(chunk, active, ct);
                        position = chunk[^1].Position;
                        chunk.Clear();
                    }
                }
                foreach (var lane in active)
                {
                    // A writer that is idle takes the open batch; one that is busy is waited for once its projection has a full batch waiting.
                    if (lane.Events.Count > 0 && (lane.Writing.IsCompleted || lane.Events.Count >= CatchUpBatch))
                    {
                        await lane.Writing;
                        if (lane.Stopped is null) Hand(lane, states, position, ct);
                    }
                    else if (lane.Events.Count == 0 && lane.Writing.IsCompleted) lane.DoneThrough = position;
                }
                reported = Retire(active, stopped, progress, reported);
            }
            foreach (var lane in active)
            {
                await lane.Writing;
                if (lane.Stopped is null && lane.Events.Count > 0)
                {
                    Hand(lane, states, position, ct);
                    await lane.Writing;
                }
                lane.DoneThrough = position;
            }
            Retire(active, stopped, progress, reported);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var lane in lanes)
            {
                await Quietly(lane.Writing);
                await lane.Connection.DisposeAsync();
            }
            await reading;
        }
        return lanes;
    }

    static async Task Quietly(Task task)
    {
        try { await task; } catch (Exception) { /* already handled, or cancelled */ }
    }

    /// <summary>Drops the projections that stopped; reports how far every remaining one has written, when that moved.</summary>
    static long Retire(List<Lane> active, Action<ProjectionStoppedException> stopped, IProgress<long>? progress, long reported)
    {
        for (var i = active.Count - 1; i >= 0; i--)
        {
            if (active[i].Stopped is not { } stop || !active[i].Writing.IsCompleted) continue;
            active.RemoveAt(i);
            stopped(stop);
        }
        if (active.Count == 0) return reported;
        var through = active.Min(l => l.DoneThrough);
        if (through > reported) progress?.Report(through);
        return Math.Max(through, reported);
    }

    /// <summary>Each event once: deserialised, then applied to the open batch of every projection that wants it.</summary>
    static async Task ApplyAsync(List<RecordedEvent> chunk, List<Lane> active, CancellationToken ct)
    {
        foreach (var recorded in chunk)
        {
            object? decoded = null;
            Exception? undecodable = null;
            try
            {
                decoded = EventTypes.Deserialize(recorded.Type, recorded.Data.Span);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                undecodable = e;
            }
            // Event by event across the projections (not projection by projection): the fold of an order is then made
            // once, by the first projection asking, and found by the others.
            foreach (var lane in active)
            {
                if (recorded.Position <= lane.Applied || !Matches(lane.Projection.Filter, recorded)) continue;
                lane.Applied = recorded.Position;
                lane.Events.Add(recorded);
                if (lane.Failed || decoded is null && undecodable is null) continue;
                try
                {
                    if (undecodable is not null) throw undecodable;
                    await lane.Projection.ApplyAsync(lane.Open, recorded, decoded!, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    lane.Failed = true;
                }
            }
        }
    }

    /// <summary>Starts writing the lane's open batch (rows and checkpoint in one transaction) and opens the next; <paramref name="through"/>: the last position read, so everything up to it is in the batch.</summary>
    void Hand(Lane lane, StreamStates states, long through, CancellationToken ct)
    {
        var (batch, batchEvents, failed) = (lane.Open, lane.Events, lane.Failed);
        (lane.Open, lane.Events, lane.Failed) = (new ProjectionBatch(database, states), [], false);
        lane.Writing = Task.Run(async () =>
        {
            var last = batchEvents[^1];
            if (!failed)
            {
                try
                {
                    // Not cancelled: a stopping host finishes the batch it is writing (well under a second).
                    await database.WriteAsync(async (conn, tx) =>
                    {
                        batch.Begin(conn, tx);
                        await batch.WriteAsync(lane.Projection.Name, last, _time.GetUtcNow(), CancellationToken.None);
                    }, CancellationToken.None, lane.Connection);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failed = true;
                }
            }
            if (failed)
            {
                try
                {
                    // The projection's own runner, on its own fold: retries a transient error, isolates a poison event.
                    await new ProjectionRunner(store, database, lane.Projection, _time).ApplyAsync(batchEvents, ct);
                }
                catch (ProjectionStoppedException e)
                {
                    lane.Stopped = e;
                    return;
                }
            }
            lane.Committed = last.Position;
            lane.DoneThrough = Math.Max(lane.DoneThrough, through);
        }, CancellationToken.None);
    }

    /// <summary>Pages of the log up to <paramref name="upTo"/>, the next read while the previous page is handed on.</summary>
    async Task ReadPagesAsync(long after, long upTo, EventFilter? filter, ChannelWriter<RecordedEvent> events, CancellationToken ct)
    {
        var reading = store.ReadAllAsync(after + 1, CatchUpBatch, filter, ct);
        while (true)
        {
            var slice = await reading;
            var more = !slice.IsEnd && slice.NextPosition <= upTo;
            if (more) reading = store.ReadAllAsync(slice.NextPosition, CatchUpBatch, filter, ct);
            foreach (var e in slice.Events)
            {
                if (e.Position > upTo) return;
                await events.WriteAsync(e, ct);
            }
            if (!more) return;
        }
    }

    async Task SubscribeAsync(long after, EventFilter? filter, ChannelWriter<RecordedEvent> events, CancellationToken ct)
    {
        await foreach (var e in store.SubscribeToAll(FromAll.AfterPosition(after), filter, ct))
            await events.WriteAsync(e, ct);
    }

    /// <summary>The projections in sets that read common streams (by their filters' stream prefixes; any other filter reads everything).</summary>
    public static List<List<IProjection>> ByStreams(IEnumerable<IProjection> projections)
    {
        var sets = new List<List<IProjection>>();
        foreach (var projection in projections)
        {
            var overlapping = sets.Where(set => set.Any(other => Overlap(projection.Filter, other.Filter))).ToList();
            var merged = new List<IProjection>();
            foreach (var set in overlapping)
            {
                merged.AddRange(set);
                sets.Remove(set);
            }
            merged.Add(projection);
            sets.Add(merged);
        }
        return sets;
    }

    static bool Overlap(EventFilter a, EventFilter b) =>
        a.EventTypes is { Count: > 0 } || b.EventTypes is { Count: > 0 } || a.StreamPrefixes is not { Count: > 0 } || b.StreamPrefixes is not { Count: > 0 }
        || a.StreamPrefixes.Any(p => b.StreamPrefixes.Any(q => p.StartsWith(q, StringComparison.Ordinal) || q.StartsWith(p, StringComparison.Ordinal)));

    static bool Matches(EventFilter filter, RecordedEvent e) =>
        (filter.StreamPrefixes is not { Count: > 0 } prefixes || prefixes.Any(p => e.Stream.StartsWith(p, StringComparison.Ordinal))) &&
        (filter.EventTypes is not { Count: > 0 } types || types.Contains(e.Type));

    /// <summary>What any of the projections wants: their stream prefixes together, or everything when one of them filters otherwise.</summary>
    static EventFilter? Union(IEnumerable<EventFilter> filters)
    {
        var prefixes = new List<string>();
        foreach (var filter in filters)
        {
            if (filter.EventTypes is { Count: > 0 } || filter.StreamPrefixes is not { Count: > 0 }) return null;
            prefixes.AddRange(filter.StreamPrefixes.Except(prefixes));
        }
        return prefixes.Count == 0 ? null : EventFilter.StreamPrefix([.. prefixes]);
    }
}
