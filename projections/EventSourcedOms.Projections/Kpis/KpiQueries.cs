using Dapper;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.Kpis;

/// <summary>
/// One day (UTC, by the order's business placement time) and channel. Rates are fractions (0–1); null where nothing
/// was there to measure (no shipped order for cycle times, no promised date for on-time).
/// </summary>
public sealed record DailyKpis(string Day, string Channel, int Orders, int Units, decimal Revenue, string? Currency,
    double CancellationRate, double BackorderRate, double FillRate,
    double? CycleTimeHoursAverage, double? CycleTimeHoursP50, double? CycleTimeHoursP90, double? OnTimeRate);

/// <summary>
/// KPIs by day and channel, computed from the placement facts and milestone times the order summary keeps (no table of
/// their own, so they can never disagree with it):
/// <list type="bullet">
/// <item>orders, units ordered, revenue (open units × price; one currency per row, or null when mixed);</item>
/// <item>cancellation rate: cancelled orders ÷ orders; backorder rate: orders with a backordered line at placement ÷ orders;</item>
/// <item>fill rate: units reserved from stock at placement ÷ units ordered;</item>
/// <item>order-to-ship cycle time: placement → first shipment, in hours (average, p50, p90 by nearest rank);</item>
/// <item>on-time rate: shipped orders with a promised date whose first shipment left by it ÷ those orders.</item>
/// </list>
/// </summary>
public sealed class KpiQueries(ProjectionDatabase database)
{
    sealed record Fact
    {
        public required string Day { get; init; }
        public required string Channel { get; init; }
        public required string Status { get; init; }
        public required string Currency { get; init; }
        public long TotalE4 { get; init; }
        public int OrderedUnits { get; init; }
        public int FirstAllocatedUnits { get; init; }
        public int BackorderedAtPlacement { get; init; }
        public DateTimeOffset PlacedAt { get; init; }
        public DateTimeOffset? ShippedAt { get; init; }
        public DateTimeOffset? PromisedShipBy { get; init; }
    }

    /// <summary>Days in [<paramref name="from"/>, <paramref name="to"/>) (yyyy-MM-dd), optionally one channel.</summary>
    public async Task<IReadOnlyList<DailyKpis>> ByDayAndChannelAsync(DateOnly from, DateOnly to, string? channel, CancellationToken ct)
    {
        var where = channel is null ? "" : " and channel = @channel";
        await using var conn = await database.OpenAsync(ct);
        var facts = await conn.QueryAsync<Fact>(
            $"""
            select placed_day as {nameof(Fact.Day)}, channel as {nameof(Fact.Channel)}, status as {nameof(Fact.Status)}, currency as {nameof(Fact.Currency)},
                   total_e4 as {nameof(Fact.TotalE4)}, ordered_units as {nameof(Fact.OrderedUnits)}, first_allocated_units as {nameof(Fact.FirstAllocatedUnits)},
                   backordered_at_placement as {nameof(Fact.BackorderedAtPlacement)}, placed_at as {nameof(Fact.PlacedAt)},
                   shipped_at as {nameof(Fact.ShippedAt)}, promised_ship_by as {nameof(Fact.PromisedShipBy)}
            from order_summary
            where placed_day >= @from and placed_day < @to{where}
            """,
            new { from = from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), to = to.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), channel });
        return [.. facts.GroupBy(f => (f.Day, f.Channel)).OrderBy(g => g.Key.Day, StringComparer.Ordinal).ThenBy(g => g.Key.Channel, StringComparer.Ordinal).Select(Compute)];
    }

    static DailyKpis Compute(IGrouping<(string Day, string Channel), Fact> g)
    {
        var orders = g.ToList();
        var currencies = orders.Select(o => o.Currency).Distinct().ToList();
        var cycle = orders.Where(o => o.ShippedAt is not null).Select(o => (o.ShippedAt!.Value - o.PlacedAt).TotalHours).Order().ToList();
        var promised = orders.Where(o => o.ShippedAt is not null && o.PromisedShipBy is not null).ToList();
        var units = orders.Sum(o => o.OrderedUnits);
        return new DailyKpis(g.Key.Day, g.Key.Channel, orders.Count, units,
            orders.Sum(o => o.TotalE4) / 10_000m, currencies.Count == 1 ? currencies[0] : null,
            (double)orders.Count(o => o.Status == "cancelled") / orders.Count,
            (double)orders.Count(o => o.BackorderedAtPlacement == 1) / orders.Count,
            units == 0 ? 0 : (double)orders.Sum(o => o.FirstAllocatedUnits) / units,
            cycle.Count == 0 ? null : cycle.Average(),
            Percentile(cycle, 0.5), Percentile(cycle, 0.9),
            promised.Count == 0 ? null : (double)promised.Count(o => o.ShippedAt <= o.PromisedShipBy) / promised.Count);
    }

    // Nearest rank: the smallest value with at least p of the values at or below it.
    static double? Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
