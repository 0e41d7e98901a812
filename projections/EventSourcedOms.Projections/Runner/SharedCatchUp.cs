using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// Catches several projections up to an end of <c>$all</c> (a rebuild of all of them, a host starting on an empty
/// read-model database) with one read of the log: each page is read and deserialised once, every event is handed to each
/// projection that wants it, and the order projections share one fold of each order (<see cref="StreamStates"/> hands
/// the state after an event to every projection asking for that same event). Five separate runners read, deserialised and
/// folded the same events up to five times; that CPU, not the writes, bounded rebuild throughput.
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
    /// Events per page and per transaction. Larger on PostgreSQL, where each projection's page is one statement per table
    /// (fewer round trips and commits for the same rows); on SQLite the write lock is held for the whole page.
    /// </summary>
    public int CatchUpBatch { get; init; } = database.Dialect == SqlDialect.Postgres ? 10_000 : 5_000;

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
        while (active.Count > 0)
        {
            var slice = await reading;
            var more = !slice.IsEnd && slice.NextPosition <= upTo;
            if (more) reading = store.ReadAllAsync(slice.NextPosition, CatchUpBatch, filter, ct);
            var page = slice.Events.Where(e => e.Position <= upTo).ToList();
            if (page.Count > 0)
            {
                await ApplyPageAsync(page, active, positions, states, stopped, ct);
                progress?.Report(page[^1].Position);
            }
            if (!more || page.Count < slice.Events.Count) break;
        }
        if (stopped.Count > 0) throw stopped[0];
        return positions.ToDictionary(p => p.Key.Name, p => p.Value);
    }

    async Task ApplyPageAsync(List<RecordedEvent> page, List<IProjection> active, Dictionary<IProjection, long> positions, StreamStates states,
        List<ProjectionStoppedException> stopped, CancellationToken ct)
    {
        var batches = active.ToDictionary(p => p, _ => new ProjectionBatch(database.Dialect, states));
        var events = active.ToDictionary(p => p, _ => new List<RecordedEvent>());
        var failed = new HashSet<IProjection>();
        foreach (var recorded in page)
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
            foreach (var projection in active)
            {
                if (recorded.Position <= positions[projection] || !Matches(projection.Filter, recorded)) continue;
                events[projection].Add(recorded);
                if (failed.Contains(projection) || decoded is null && undecodable is null) continue;
                try
                {
                    if (undecodable is not null) throw undecodable;
                    await projection.ApplyAsync(batches[projection], recorded, decoded!, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failed.Add(projection);
                }
            }
        }

        await Task.WhenAll(active.Where(p => !failed.Contains(p) && events[p].Count > 0).Select(async projection =>
        {
            var last = events[projection][^1];
            try
            {
                await database.WriteAsync(async (conn, tx) =>
                {
                    batches[projection].Begin(conn, tx);
                    await batches[projection].FlushAsync(ct);
                    await Checkpoints.SaveAsync(conn, tx, projection.Name, last.Position, _time.GetUtcNow(), last.Metadata.OccurredAt ?? last.RecordedAt);
                }, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                lock (failed) failed.Add(projection);
            }
        }));

        foreach (var projection in active.Where(p => events[p].Count > 0))
        {
            if (failed.Contains(projection))
            {
                try
                {
                    // The projection's own runner, on its own fold: retries a transient error, isolates a poison event.
                    await new ProjectionRunner(store, database, projection, _time).ApplyAsync(events[projection], ct);
                }
                catch (ProjectionStoppedException e)
                {
                    stopped.Add(e);
                    continue;
                }
            }
            positions[projection] = events[projection][^1].Position;
        }
        active.RemoveAll(p => stopped.Any(s => s.Projection == p.Name));
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
