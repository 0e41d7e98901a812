using Dapper;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.OrderTimeline;

public record TimelineEntry
{
    public long Revision { get; init; }
    public long Position { get; init; }
    public required string EventType { get; init; }
    public required string Summary { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
    public string? Actor { get; init; }
    public string? CorrelationId { get; init; }
}

public sealed class OrderTimelineQueries(ProjectionDatabase database)
{
    public async Task<IReadOnlyList<TimelineEntry>> ForOrderAsync(string orderId, CancellationToken ct)
    {
        await using var conn = await database.OpenAsync(ct);
        return [.. await conn.QueryAsync<TimelineEntry>(
            $"""
            select revision as {nameof(TimelineEntry.Revision)}, position as {nameof(TimelineEntry.Position)}, event_type as {nameof(TimelineEntry.EventType)},
                   summary as {nameof(TimelineEntry.Summary)}, occurred_at as {nameof(TimelineEntry.OccurredAt)}, recorded_at as {nameof(TimelineEntry.RecordedAt)},
                   actor as {nameof(TimelineEntry.Actor)}, correlation_id as {nameof(TimelineEntry.CorrelationId)}
            from order_timeline where order_id = @orderId order by revision
            """, new { orderId })];
    }
}
