using System.Data.Common;
using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>The projection stopped on an event its projector keeps failing on; the error is recorded with its checkpoint.</summary>
public sealed class ProjectionStoppedException(string projection, long position, Exception inner)
    : Exception($"Projection {projection} stopped at the event at position {position}: {inner.Message}", inner)
{
    public string Projection { get; } = projection;
    public long Position { get; } = position;
}

/// <summary>
/// One projection on its own. <see cref="ApplyAsync"/> writes a batch of events that failed in a
/// <see cref="SharedCatchUp"/>: a batch's rows and its checkpoint commit in one transaction on the read-model database,
/// so after any crash the projection resumes exactly after the last committed batch (no lost, no doubled rows). A
/// transient database failure is retried with backoff. An event the projector fails on (a poison event) is isolated:
/// the events before it are committed, the error and position are recorded in <c>projection_checkpoints</c>, and this
/// projection alone stops (<see cref="ProjectionStoppedException"/>) — it never skips the event silently.
/// </summary>
public sealed class ProjectionRunner(IEventStore store, ProjectionDatabase database, IProjection projection, TimeProvider? time = null)
{
    readonly TimeProvider _time = time ?? TimeProvider.System;
    readonly StreamStates _states = new(store);

    /// <summary>Most events per transaction (<see cref="SharedCatchUp.CatchUpBatch"/>) when it runs on its own.</summary>
    public int MaxBatch { get; init; } = 1000;

    public IProjection Projection => projection;

    /// <summary>
    /// Follows the log until cancelled, as a <see cref="SharedCatchUp"/> of this projection alone; throws
    /// <see cref="ProjectionStoppedException"/> once a poison event stopped it (also at once when its checkpoint records one).
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        ProjectionStoppedException? stopped = null;
        await new SharedCatchUp(store, database, [projection], time) { CatchUpBatch = MaxBatch }.FollowAsync(e => stopped = e, ct);
        if (stopped is not null) throw stopped;
    }

    internal async Task ApplyAsync(List<RecordedEvent> batch, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await CommitAsync(batch, ct);
                return;
            }
            catch (DbException e) when (IsTransient(e) && !ct.IsCancellationRequested)
            {
                _states.Clear();
                database.ClearPool();
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * attempt * attempt)), ct);
            }
            catch (Exception e) when (e is not OperationCanceledException && !(e is DbException db && IsTransient(db)))
            {
                _states.Clear();
                if (batch.Count == 1)
                {
                    await using var conn = await database.OpenAsync(CancellationToken.None);
                    await Checkpoints.FailAsync(conn, projection.Name, batch[0].Position, $"{batch[0]}: {e}", _time.GetUtcNow());
                    throw new ProjectionStoppedException(projection.Name, batch[0].Position, e);
                }
                // Find the poison event: everything before it commits, one event per transaction.
                foreach (var single in batch) await ApplyAsync([single], ct);
                return;
            }
        }
    }

    async Task CommitAsync(List<RecordedEvent> batch, CancellationToken ct)
    {
        // Apply first, in memory; the transaction then only writes, so it stays short (on PostgreSQL an open write
        // transaction holds back every reader of $all; on SQLite it holds the file's write lock).
        var context = new ProjectionBatch(database, _states);
        foreach (var recorded in batch)
        {
            if (EventTypes.Deserialize(recorded.Type, recorded.Data.Span) is { } e)
                await projection.ApplyAsync(context, recorded, e, ct);
        }
        var last = batch[^1];
        await database.WriteAsync(async (conn, tx) =>
        {
            context.Begin(conn, tx);
            await context.WriteAsync(projection.Name, last, _time.GetUtcNow(), ct);
        }, ct);
    }

    static bool IsTransient(DbException e) => e switch
    {
        Npgsql.NpgsqlException n => n.IsTransient,
        // SQLITE_BUSY / SQLITE_LOCKED: another writer (the event store's) holds the file for a moment.
        Microsoft.Data.Sqlite.SqliteException s => s.SqliteErrorCode is 5 or 6,
        _ => false,
    };
}
