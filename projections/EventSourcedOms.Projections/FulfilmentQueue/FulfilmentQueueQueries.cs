using Dapper;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.FulfilmentQueue;

/// <summary>One location's queue: orders and units per stage, the oldest waiting order, and ship-by breaches.</summary>
public sealed record LocationQueue
{
    public required string Location { get; init; }
    public int OrdersToPick { get; init; }
    public int UnitsToPick { get; init; }
    public int OrdersToPack { get; init; }
    public int UnitsToPack { get; init; }
    public int OrdersToShip { get; init; }
    public int UnitsToShip { get; init; }
    public int OnHold { get; init; }
    public DateTimeOffset? OldestWaitingSince { get; init; }
    /// <summary>Promised ship-by date already passed.</summary>
    public int Breached { get; init; }
    /// <summary>Promised ship-by date within <see cref="FulfilmentQueueQueries.AtRiskWindow"/>.</summary>
    public int AtRisk { get; init; }
}

public sealed class FulfilmentQueueQueries(ProjectionDatabase database, TimeProvider? time = null)
{
    public static TimeSpan AtRiskWindow { get; } = TimeSpan.FromHours(24);

    /// <summary>Every location with work waiting (or one location), breaches judged against the current time.</summary>
    public async Task<IReadOnlyList<LocationQueue>> ByLocationAsync(string? location, CancellationToken ct)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var where = location is null ? "" : "where location = @location";
        await using var conn = await database.OpenAsync(ct);
        var rows = await conn.QueryAsync<LocationQueue>(
            $"""
            select location as {nameof(LocationQueue.Location)},
                   sum(case when to_pick > 0 then 1 else 0 end) as {nameof(LocationQueue.OrdersToPick)}, sum(to_pick) as {nameof(LocationQueue.UnitsToPick)},
                   sum(case when to_pack > 0 then 1 else 0 end) as {nameof(LocationQueue.OrdersToPack)}, sum(to_pack) as {nameof(LocationQueue.UnitsToPack)},
                   sum(case when to_ship > 0 then 1 else 0 end) as {nameof(LocationQueue.OrdersToShip)}, sum(to_ship) as {nameof(LocationQueue.UnitsToShip)},
                   sum(on_hold) as {nameof(LocationQueue.OnHold)},
                   min(waiting_since) as {nameof(LocationQueue.OldestWaitingSince)},
                   sum(case when promised_ship_by < @now then 1 else 0 end) as {nameof(LocationQueue.Breached)},
                   sum(case when promised_ship_by >= @now and promised_ship_by < @soon then 1 else 0 end) as {nameof(LocationQueue.AtRisk)}
            from fulfilment_queue {where}
            group by location order by location
            """, new { location, now, soon = now + AtRiskWindow });
        return [.. rows];
    }
}
