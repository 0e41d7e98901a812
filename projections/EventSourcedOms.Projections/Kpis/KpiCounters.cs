using EventSourcedOms.Projections.OrderSummary;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.Kpis;

/// <summary>
/// The KPI tables, maintained by the order summary projector from each changed <c>order_summary</c> row (its old row
/// counted out, its new row counted in), in the same transaction (schema in <c>OrderSummary/schema.*.sql</c>):
/// <list type="bullet">
/// <item><c>kpi_daily</c>: per placement day, channel and currency, the sums the KPIs divide;</item>
/// <item><c>kpi_cycle_hours</c>: per day and channel, shipped orders per whole hour of order-to-first-shipment time;</item>
/// <item><c>kpi_cycle_times</c>: per day and channel, shipped orders per exact cycle time (in ticks), so that the
/// percentiles stay exact: the hours find the right hour, its few exact times the value;</item>
/// <item><c>kpi_cycle_percentiles</c>: per day and channel, p50 and p90 of those times (<see cref="CyclePercentiles"/>).</item>
/// </list>
/// </summary>
sealed class KpiCounters
{
    static readonly CounterTable Daily = new("kpi_daily", "day, channel, currency",
        "orders, units, total_e4, cancelled, backordered, first_allocated_units, shipped, cycle_ticks, promised_shipped, on_time");
    static readonly CounterTable CycleHours = new("kpi_cycle_hours", "day, channel, hour", "orders");
    static readonly CounterTable CycleTimes = new("kpi_cycle_times", "day, channel, cycle_ticks", "orders");

    public static IReadOnlyList<(string Table, string Key)> Tables { get; } =
        [
            ("kpi_daily", "day, channel, currency"), ("kpi_cycle_hours", "day, channel, hour"), ("kpi_cycle_times", "day, channel, cycle_ticks"),
            ("kpi_cycle_percentiles", "day, channel"),
        ];

    readonly CounterTable.Changes _daily = Daily.Start();
    readonly CounterTable.Changes _hours = CycleHours.Start();
    readonly CounterTable.Changes _times = CycleTimes.Start();

    /// <summary>The whole hour a cycle time falls in (rounded down, also for a first shipment dated before the placement).</summary>
    public static long Hour(long cycleTicks) => (long)Math.Floor((double)cycleTicks / TimeSpan.TicksPerHour);

    public void Add(int sign, SummaryRow row)
    {
        long? cycle = row.ShippedAt is { } shipped ? (shipped - row.PlacedAt).Ticks : null;
        var promised = cycle is not null && row.PromisedShipBy is not null;
        _daily.Add(sign, [row.PlacedDay, row.Channel, row.Currency],
            1, row.OrderedUnits, row.TotalE4, row.Status == "cancelled" ? 1 : 0, row.BackorderedAtPlacement == 1 ? 1 : 0, row.FirstAllocatedUnits,
            cycle is null ? 0 : 1, cycle ?? 0, promised ? 1 : 0, promised && row.ShippedAt <= row.PromisedShipBy ? 1 : 0);
        if (cycle is not { } ticks) return;
        _hours.Add(sign, [row.PlacedDay, row.Channel, Hour(ticks)], 1);
        _times.Add(sign, [row.PlacedDay, row.Channel, ticks], 1);
    }

    public async Task FlushAsync(ProjectionBatch batch)
    {
        await _daily.FlushAsync(batch);
        await _hours.FlushAsync(batch);
        await _times.FlushAsync(batch);
        // Only where a cycle time was counted in or out for good (an order's later events re-count its same time).
        await CyclePercentiles.RefreshAsync(batch, [.. _times.Changed.Select(k => ((string)k[0]!, (string)k[1]!)).Distinct()]);
    }
}
