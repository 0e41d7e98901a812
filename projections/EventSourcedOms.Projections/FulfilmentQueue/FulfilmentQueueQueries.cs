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
    /// <remarks>
    /// Reads the per-location counters the projector maintains, not the queue's rows. Breached (ship-by before now) and
    /// at risk (ship-by in [now, now + 24 h)) add whole hours from <c>fulfilment_queue_ship_by</c> and count only the rows
    /// of the partial hours at either end of the range, on the (location, promised_ship_by) index.
    /// </remarks>
    public async Task<IReadOnlyList<LocationQueue>> ByLocationAsync(string? location, CancellationToken ct)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var soon = now + AtRiskWindow;
        var nowHour = FulfilmentQueueProjection.Hour(now);
        var firstFullHour = nowHour == now ? now : nowHour.AddHours(1);
        var soonHour = FulfilmentQueueProjection.Hour(soon);
        var where = location is null ? "" : "where s.location = @location";
        await using var conn = await database.OpenAsync(ct);
        var rows = await conn.QueryAsync<LocationQueue>(
            $"""
            select s.location as {nameof(LocationQueue.Location)},
                   s.orders_to_pick as {nameof(LocationQueue.OrdersToPick)}, s.units_to_pick as {nameof(LocationQueue.UnitsToPick)},
                   s.orders_to_pack as {nameof(LocationQueue.OrdersToPack)}, s.units_to_pack as {nameof(LocationQueue.UnitsToPack)},
                   s.orders_to_ship as {nameof(LocationQueue.OrdersToShip)}, s.units_to_ship as {nameof(LocationQueue.UnitsToShip)},
                   s.on_hold as {nameof(LocationQueue.OnHold)},
                   (select min(q.waiting_since) from fulfilment_queue q where q.location = s.location) as {nameof(LocationQueue.OldestWaitingSince)},
                   {Hours("b.hour < @nowHour")} + {Rows("@nowHour", "@now")} as {nameof(LocationQueue.Breached)},
                   {Hours("b.hour >= @firstFullHour and b.hour < @soonHour")} + {Rows("@now", "@firstFullHour")} + {Rows("@soonHour", "@soon")} as {nameof(LocationQueue.AtRisk)}
            from fulfilment_queue_locations s {where}
            order by s.location
            """, new { location, now, soon, nowHour, firstFullHour, soonHour });
        return [.. rows];

        static string Hours(string range) =>
            $"cast(coalesce((select sum(b.entries) from fulfilment_queue_ship_by b where b.location = s.location and {range}), 0) as bigint)";

        static string Rows(string from, string to) =>
            $"(select count(*) from fulfilment_queue q where q.location = s.location and q.promised_ship_by >= {from} and q.promised_ship_by < {to})";
    }
}
