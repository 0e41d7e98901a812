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

    sealed record Count
    {
        public required string Day { get; init; }
        public required string Channel { get; init; }
        public long Value { get; init; }
        public long Orders { get; init; }
    }

    /// <summary>Days in [<paramref name="from"/>, <paramref name="to"/>) (yyyy-MM-dd), optionally one channel.</summary>
    public async Task<IReadOnlyList<DailyKpis>> ByDayAndChannelAsync(DateOnly from, DateOnly to, string? channel, CancellationToken ct)
    {
        var where = "where day >= @from and day < @to" + (channel is null ? "" : " and channel = @channel");
        var args = new { from = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), channel };
        await using var conn = await database.OpenAsync(ct);
        List<Daily> daily;
        List<Count> hours;
        await using (var read = await conn.QueryMultipleAsync(
            $"""
            select day as {nameof(Daily.Day)}, channel as {nameof(Daily.Channel)}, currency as {nameof(Daily.Currency)}, orders as {nameof(Daily.Orders)},
                   units as {nameof(Daily.Units)}, total_e4 as {nameof(Daily.TotalE4)}, cancelled as {nameof(Daily.Cancelled)},
                   backordered as {nameof(Daily.Backordered)}, first_allocated_units as {nameof(Daily.FirstAllocatedUnits)}, shipped as {nameof(Daily.Shipped)},
                   cycle_ticks as {nameof(Daily.CycleTicks)}, promised_shipped as {nameof(Daily.PromisedShipped)}, on_time as {nameof(Daily.OnTime)}
            from kpi_daily {where};
            select day as {nameof(Count.Day)}, channel as {nameof(Count.Channel)}, hour as {nameof(Count.Value)}, orders as {nameof(Count.Orders)}
            from kpi_cycle_hours {where};
            """, args))
        {
            daily = [.. await read.ReadAsync<Daily>()];
            hours = [.. await read.ReadAsync<Count>()];
        }
        var percentiles = await PercentilesAsync(conn, database.Dialect, hours);
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

    /// <summary>
    /// p50 and p90 of the cycle times per day and channel, by nearest rank (the smallest value with at least p of the
    /// values at or below it): the hour counts say which hour holds that rank, and only that hour's exact times are read.
    /// </summary>
    static async Task<Dictionary<(string, string), (double P50, double P90)>> PercentilesAsync(System.Data.Common.DbConnection conn, SqlDialect dialect, List<Count> hours)
    {
        var wanted = new List<(string Day, string Channel, long Hour, long Before, long Rank50, long Rank90)>();
        // Hours in order within each day and channel (sorted here: the database need not sort thousands of rows).
        foreach (var group in hours.GroupBy(h => (h.Day, h.Channel)).Select(g => g.OrderBy(h => h.Value).ToList()))
        {
            var total = group.Sum(h => h.Orders);
            var rank50 = Rank(0.5, total);
            var rank90 = Rank(0.9, total);
            long before = 0;
            foreach (var hour in group)
            {
                var holds50 = rank50 > before && rank50 <= before + hour.Orders;
                var holds90 = rank90 > before && rank90 <= before + hour.Orders;
                if (holds50 || holds90) wanted.Add((hour.Day, hour.Channel, hour.Value, before, holds50 ? rank50 : 0, holds90 ? rank90 : 0));
                before += hour.Orders;
            }
        }
        var result = new Dictionary<(string, string), (double P50, double P90)>();
        if (wanted.Count == 0) return result;
        // One statement whatever the number of hours wanted (a fixed text: prepared once, and one entry in Dapper's cache).
        var hoursJson = System.Text.Json.JsonSerializer.Serialize(wanted.Select((w, i) => new
        {
            i, d = w.Day, c = w.Channel, lo = w.Hour * TimeSpan.TicksPerHour, hi = (w.Hour + 1) * TimeSpan.TicksPerHour,
        }));
        var wantedRows = dialect == SqlDialect.Postgres
            ? "select i, d, c, lo, hi from json_to_recordset(@hours::json) as w(i bigint, d text, c text, lo bigint, hi bigint)"
            : "select json_extract(value, '$.i') as i, json_extract(value, '$.d') as d, json_extract(value, '$.c') as c, " +
              "json_extract(value, '$.lo') as lo, json_extract(value, '$.hi') as hi from json_each(@hours)";
        // One index range per wanted hour: PostgreSQL would otherwise hash-join the whole table (a lateral subquery that
        // "offset 0" keeps from being flattened stays on the index); SQLite already loops over the JSON rows and searches the index.
        const string range = "t.day = w.d and t.channel = w.c and t.cycle_ticks >= w.lo and t.cycle_ticks < w.hi";
        var times = (await conn.QueryAsync<(long Index, long Ticks, long Orders)>(dialect == SqlDialect.Postgres
                ? $"select w.i, t.cycle_ticks, t.orders from ({wantedRows}) w cross join lateral (select t.cycle_ticks, t.orders from kpi_cycle_times t where {range} offset 0) t"
                : $"select w.i, t.cycle_ticks, t.orders from ({wantedRows}) w join kpi_cycle_times t on {range}",
            new { hours = hoursJson })).ToLookup(t => t.Index);
        foreach (var (w, i) in wanted.Select((w, i) => (w, (long)i)))
        {
            var seen = w.Before;
            foreach (var t in times[i].OrderBy(t => t.Ticks))
            {
                var value = (double)t.Ticks / TimeSpan.TicksPerHour;
                var reached = seen + t.Orders;
                var current = result.GetValueOrDefault((w.Day, w.Channel));
                if (w.Rank50 > seen && w.Rank50 <= reached) current.P50 = value;
                if (w.Rank90 > seen && w.Rank90 <= reached) current.P90 = value;
                result[(w.Day, w.Channel)] = current;
                seen = reached;
            }
        }
        return result;
    }

    // Nearest rank, 1-based: the same index the KPI definition has always used (ceil(p × n), at least the first).
    static long Rank(double p, long count) => Math.Max(0, (long)Math.Ceiling(p * count) - 1) + 1;
}
