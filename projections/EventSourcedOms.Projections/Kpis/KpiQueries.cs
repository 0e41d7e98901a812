using System.Globalization;
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
/// KPIs by day and channel, from the placement facts and milestone times of the order summary, as pre-aggregated by its
/// projector in the same transaction (<see cref="KpiCounters"/>), so they can never disagree with it:
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
    sealed record Daily
    {
        public required string Day { get; init; }
        public required string Channel { get; init; }
        public required string Currency { get; init; }
        public long Orders { get; init; }
        public long Units { get; init; }
        public long TotalE4 { get; init; }
        public long Cancelled { get; init; }
        public long Backordered { get; init; }
        public long FirstAllocatedUnits { get; init; }
        public long Shipped { get; init; }
        public long CycleTicks { get; init; }
        public long PromisedShipped { get; init; }
        public long OnTime { get; init; }
    }

    sealed record Percentiles
    {
        public required string Day { get; init; }
        public required string Channel { get; init; }
        public long P50Ticks { get; init; }
        public long P90Ticks { get; init; }
    }

    /// <summary>Days in [<paramref name="from"/>, <paramref name="to"/>) (yyyy-MM-dd), optionally one channel.</summary>
    public async Task<IReadOnlyList<DailyKpis>> ByDayAndChannelAsync(DateOnly from, DateOnly to, string? channel, CancellationToken ct)
    {
        var where = "where day >= @from and day < @to" + (channel is null ? "" : " and channel = @channel");
        var args = new { from = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), channel };
        await using var conn = await database.OpenAsync(ct);
        List<Daily> daily;
        Dictionary<(string, string), (double P50, double P90)> percentiles;
        await using (var read = await conn.QueryMultipleAsync(
            $"""
            select day as {nameof(Daily.Day)}, channel as {nameof(Daily.Channel)}, currency as {nameof(Daily.Currency)}, orders as {nameof(Daily.Orders)},
                   units as {nameof(Daily.Units)}, total_e4 as {nameof(Daily.TotalE4)}, cancelled as {nameof(Daily.Cancelled)},
                   backordered as {nameof(Daily.Backordered)}, first_allocated_units as {nameof(Daily.FirstAllocatedUnits)}, shipped as {nameof(Daily.Shipped)},
                   cycle_ticks as {nameof(Daily.CycleTicks)}, promised_shipped as {nameof(Daily.PromisedShipped)}, on_time as {nameof(Daily.OnTime)}
            from kpi_daily {where};
            select day as {nameof(Percentiles.Day)}, channel as {nameof(Percentiles.Channel)}, p50_ticks as {nameof(Percentiles.P50Ticks)}, p90_ticks as {nameof(Percentiles.P90Ticks)}
            from kpi_cycle_percentiles {where};
            """, args))
        {
            daily = [.. await read.ReadAsync<Daily>()];
            percentiles = (await read.ReadAsync<Percentiles>()).ToDictionary(p => (p.Day, p.Channel),
                p => ((double)p.P50Ticks / TimeSpan.TicksPerHour, (double)p.P90Ticks / TimeSpan.TicksPerHour));
        }
        return [.. daily.GroupBy(d => (d.Day, d.Channel)).OrderBy(g => g.Key.Day, StringComparer.Ordinal).ThenBy(g => g.Key.Channel, StringComparer.Ordinal)
            .Select(g => Compute(g, percentiles.TryGetValue(g.Key, out var p) ? p : null))];
    }

    static DailyKpis Compute(IGrouping<(string Day, string Channel), Daily> g, (double P50, double P90)? percentiles)
    {
        var orders = g.Sum(d => d.Orders);
        var units = g.Sum(d => d.Units);
        var shipped = g.Sum(d => d.Shipped);
        var promised = g.Sum(d => d.PromisedShipped);
        return new DailyKpis(g.Key.Day, g.Key.Channel, (int)orders, (int)units,
            g.Sum(d => d.TotalE4) / 10_000m, g.Count() == 1 ? g.First().Currency : null,
            (double)g.Sum(d => d.Cancelled) / orders,
            (double)g.Sum(d => d.Backordered) / orders,
            units == 0 ? 0 : (double)g.Sum(d => d.FirstAllocatedUnits) / units,
            shipped == 0 ? null : (double)g.Sum(d => d.CycleTicks) / TimeSpan.TicksPerHour / shipped,
            percentiles?.P50, percentiles?.P90,
            promised == 0 ? null : (double)g.Sum(d => d.OnTime) / promised);
    }
}
