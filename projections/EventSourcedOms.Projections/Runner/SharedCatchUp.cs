using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// Catches several projections up to an end of <c>$all</c> (rebuild and verify: <see cref="ProjectionMaintenance"/>)
/// with one read of the log: each page is read and deserialised once, every event is handed to each
/// projection that wants it, and the order projections share one fold of each order (<see cref="StreamStates"/> hands
/// the state after an event to every projection asking for that same event). Five separate runners read, deserialised and
/// folded the same events up to five times, a large part of a rebuild's CPU. The next page is read, and applied in
/// memory, while the previous page is being written.
/// <para>
/// Each projection keeps its own checkpoint and its own transactions (rows and checkpoint together), so after a crash
/// each resumes from where it committed; the read starts at the oldest of their checkpoints and a projection skips what
/// it has already applied. A projection that fails on a page (a poison event, a write it cannot make) is handed that
/// page alone to its own <see cref="ProjectionRunner"/>, which retries transient errors and, for a poison event, commits
/// the events before it and records the error; a projection stopped that way drops out and the others go on to the
/// end. Then the first such stop is thrown.
/// </para>
/// </summary>
public sealed class SharedCatchUp(IEventStore store, ProjectionDatabase database, IReadOnlyList<IProjection> projections, TimeProvider? time = null)
{
    readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Events per page and per transaction. Pages much larger than this are no faster on PostgreSQL (10,000 was 5–10 %
    /// slower: a page's events and rows live through more collections of the GC), and on SQLite the write lock is held
    /// for the whole page.
    /// </summary>
    public int CatchUpBatch { get; init; } = 5_000;

    /// <summary>Applies everything after each projection's checkpoint up to <paramref name="upTo"/> (or the end of the log); returns the checkpoints.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CatchUpAsync(long upTo, IProgress<long>? progress, CancellationToken ct)
    {
        var positions = new Dictionary<IProjection, long>();
        await using (var conn = await database.OpenAsync(ct))
            foreach (var projection in projections)
                positions[projection] = (await Checkpoints.ReadAsync(conn, projection.Name))?.Position ?? 0;
        var active = projections.ToList();
        var stopped = new List<ProjectionStoppedException>();
        var states = new StreamStates(store);
        var filter = Union(projections.Select(p => p.Filter));
        var position = positions.Values.DefaultIfEmpty(0).Min();
        var reading = store.ReadAllAsync(position + 1, CatchUpBatch, filter, ct);
        Task<Page>? writing = null;
        while (active.Count > 0)
        {
            var slice = await reading;
            var more = !slice.IsEnd && slice.NextPosition <= upTo;
            if (more) reading = store.ReadAllAsync(slice.NextPosition, CatchUpBatch, filter, ct);
            var events = slice.Events.Where(e => e.Position <= upTo).ToList();
            if (events.Count > 0)
            {
                // This page is applied in memory while the previous one is still being written.
                var page = await ApplyAsync(events, active, positions, states, ct);
                if (writing is not null) await FinishAsync(await writing, active, positions, stopped, progress, ct);
                writing = WriteAsync(page with { Projections = [.. active.Where(page.Projections.Contains)] }, ct);
            }
            if (!more || events.Count < slice.Events.Count) break;
        }
        if (writing is not null) await FinishAsync(await writing, active, positions, stopped, progress, ct);
        if (stopped.Count > 0) throw stopped[0];
        return positions.ToDictionary(p => p.Key.Name, p => p.Value);
    }

    /// <summary>A page as each projection applied it: its batch, its events, and whether it failed.</summary>
    sealed record Page(List<IProjection> Projections, Dictionary<IProjection, ProjectionBatch> Batches, Dictionary<IProjection, List<RecordedEvent>> Events,
        HashSet<IProjection> Failed, long Last);

    async Task<Page> ApplyAsync(List<RecordedEvent> events, List<IProjection> active, Dictionary<IProjection, long> checkpoints, StreamStates states, CancellationToken ct)
    {
        var page = new Page([.. active], active.ToDictionary(p => p, _ => new ProjectionBatch(database.Dialect, states)),
            active.ToDictionary(p => p, _ => new List<RecordedEvent>()), [], events[^1].Position);
        foreach (var recorded in events)
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
            foreach (var projection in page.Projections)
            {
                if (recorded.Position <= checkpoints[projection] || !Matches(projection.Filter, recorded)) continue;
                page.Events[projection].Add(recorded);
                if (page.Failed.Contains(projection) || decoded is null && undecodable is null) continue;
                try
                {
                    if (undecodable is not null) throw undecodable;
                    await projection.ApplyAsync(page.Batches[projection], recorded, decoded!, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    page.Failed.Add(projection);
                }
            }
        }
        return page;
    }

    /// <summary>Each projection's batch in a transaction of its own (in parallel on PostgreSQL, one group on SQLite).</summary>
    async Task<Page> WriteAsync(Page page, CancellationToken ct)
    {
        await Task.WhenAll(page.Projections.Where(p => !page.Failed.Contains(p) && page.Events[p].Count > 0).Select(async projection =>
        {
            var last = page.Events[projection][^1];
            try
            {
                await database.WriteAsync(async (conn, tx) =>
                {
                    page.Batches[projection].Begin(conn, tx);
                    await page.Batches[projection].WriteAsync(projection.Name, last, _time.GetUtcNow(), ct);
                }, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                lock (page.Failed) page.Failed.Add(projection);
            }
        }));
        return page;
    }

    /// <summary>Hands a failed projection's page to its own runner; a projection stopped there drops out.</summary>
    async Task FinishAsync(Page page, List<IProjection> active, Dictionary<IProjection, long> positions, List<ProjectionStoppedException> stopped,
        IProgress<long>? progress, CancellationToken ct)
    {
        foreach (var projection in page.Projections.Where(p => page.Events[p].Count > 0))
        {
            if (page.Failed.Contains(projection))
            {
                try
                {
                    // The projection's own runner, on its own fold: retries a transient error, isolates a poison event.
                    await new ProjectionRunner(store, database, projection, _time).ApplyAsync(page.Events[projection], ct);
                }
                catch (ProjectionStoppedException e)
                {
                    stopped.Add(e);
                    active.Remove(projection);
                    continue;
                }
            }
            positions[projection] = page.Events[projection][^1].Position;
        }
        progress?.Report(page.Last);
    }

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
