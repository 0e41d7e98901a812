using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// How far behind a projection is: its checkpoint, the business time of the last event it applied and how long ago
/// that was, the events of its filter still to apply (counted up to <see cref="ProjectionStatusQueries.PendingCountLimit"/>),
/// and the error that stopped it, if any. What health checks and metrics report.
/// </summary>
public sealed record ProjectionStatus(string Name, long Position, DateTimeOffset? LastEventAt, DateTimeOffset? UpdatedAt,
    long PendingEvents, bool PendingIsLowerBound, TimeSpan? OldestPendingAge, string? Error, long? ErrorPosition)
{
    public bool Healthy => Error is null;
}

public sealed class ProjectionStatusQueries(IEventStore store, ProjectionDatabase database, TimeProvider? time = null)
{
    public const int PendingCountLimit = 10_000;

    /// <summary>How long counting one projection's pending events may take before the count is reported as a lower bound.</summary>
    public static TimeSpan CountBudget { get; } = TimeSpan.FromSeconds(1);

    public async Task<IReadOnlyList<ProjectionStatus>> AllAsync(IEnumerable<IProjection> projections, CancellationToken ct)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var result = new List<ProjectionStatus>();
        await using var conn = await database.OpenAsync(ct);
        foreach (var projection in projections)
        {
            var checkpoint = await Checkpoints.ReadAsync(conn, projection.Name);
            var position = checkpoint?.Position ?? 0;
            long pending = 0;
            DateTimeOffset? oldest = null;
            var from = position + 1;
            var lowerBound = false;
            // Reading on waits while an older open transaction holds committed events back (PostgreSQL); health does
            // not wait with it for long: after CountBudget the count so far is reported as a lower bound.
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
            budget.CancelAfter(CountBudget);
            try
            {
                while (true)
                {
                    var slice = await store.ReadAllAsync(from, 1000, projection.Filter, budget.Token);
                    if (slice.Events.Count > 0) oldest ??= slice.Events[0].RecordedAt;
                    pending += slice.Events.Count;
                    if (slice.IsEnd) break;
                    if (pending >= PendingCountLimit) { lowerBound = true; break; }
                    from = slice.NextPosition;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                lowerBound = true;
            }
            result.Add(new ProjectionStatus(projection.Name, position, checkpoint?.LastEventAt, checkpoint?.UpdatedAt, pending, lowerBound,
                oldest is null ? null : now - oldest.Value, checkpoint?.Error, checkpoint?.ErrorPosition));
        }
        return result;
    }
}
