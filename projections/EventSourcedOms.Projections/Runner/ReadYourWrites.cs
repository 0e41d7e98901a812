using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// Lets a client read what it just wrote: a command returns the global position of its last event, and a query may
/// ask to wait (bounded) until the read models it reads have applied everything up to that position.
/// </summary>
public sealed class ReadYourWrites(IEventStore store, ProjectionDatabase database, TimeProvider? time = null)
{
    readonly TimeProvider _time = time ?? TimeProvider.System;

    public static TimeSpan DefaultWait { get; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// True once <paramref name="projection"/> has applied every event it cares about at or below <paramref name="position"/>;
    /// false when <paramref name="timeout"/> passed first (the caller answers with a "stale" signal). A position past
    /// the projection's checkpoint still counts as reached when no event of the projection's filter lies in between
    /// (the command's last event may belong to another stream, e.g. its idempotency record).
    /// </summary>
    public async Task<bool> WaitForAsync(IProjection projection, long position, TimeSpan timeout, CancellationToken ct)
    {
        var started = _time.GetTimestamp();
        // A read of the log waits while an older transaction holds events back (PostgreSQL): bounded by the timeout too.
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            while (true)
            {
                if (await HasReachedAsync(projection, position, linked.Token)) return true;
                if (_time.GetElapsedTime(started) >= timeout) return false;
                await Task.Delay(TimeSpan.FromMilliseconds(5), linked.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    async Task<bool> HasReachedAsync(IProjection projection, long position, CancellationToken ct)
    {
        long checkpoint;
        await using (var conn = await database.OpenAsync(ct))
            checkpoint = (await Checkpoints.ReadAsync(conn, projection.Name))?.Position ?? 0;
        if (checkpoint >= position) return true;
        var next = await store.ReadAllAsync(checkpoint + 1, 1, projection.Filter, ct);
        // Nothing of this projection's between its checkpoint and the position, and the read looked past the position.
        return next.NextPosition > position && (next.Events.Count == 0 || next.Events[0].Position > position);
    }
}
