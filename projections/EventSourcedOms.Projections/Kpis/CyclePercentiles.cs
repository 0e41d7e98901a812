using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.Kpis;

/// <summary>
/// <c>kpi_cycle_percentiles</c>: p50 and p90 of the order-to-first-shipment times per day and channel, by nearest rank
/// (the smallest time with at least p of the times at or below it; rank ⌈p × n⌉ in exact integer arithmetic). Recomputed
/// in the batch's transaction, after its counters, for each day and channel whose cycle times the batch changed: the
/// hour counts (<c>kpi_cycle_hours</c>) say which hour holds each rank — ranked in the database, which returns only
/// those hours — and only those hours' exact times (<c>kpi_cycle_times</c>) are read. So the KPI query reads one row per
/// day and channel, whatever the number of orders or the spread of their cycle times.
/// </summary>
static class CyclePercentiles
{
    sealed record Row(string Day, string Channel, long P50Ticks, long P90Ticks);

    /// <summary>An hour holding rank 50 and/or rank 90 (0 for a rank it does not hold).</summary>
    sealed record Wanted(string Day, string Channel, long Hour, long Before, long Rank50, long Rank90);

    static readonly BatchTable<Row> Table = new("kpi_cycle_percentiles", "day, channel");

    public static async Task RefreshAsync(ProjectionBatch batch, IReadOnlyCollection<(string Day, string Channel)> changed)
    {
        if (changed.Count == 0) return;
        var keys = changed.Select(c => new Row(c.Day, c.Channel, 0, 0)).ToList();
        var wanted = await WantedHoursAsync(batch, keys);
        var rows = await PercentilesAsync(batch, wanted);
        // A day and channel without shipped orders left (every shipped order re-counted elsewhere) has no row.
        await Table.DeleteAsync(batch, keys);
        await Table.UpsertAsync(batch, rows);
    }

    /// <summary>The hours holding rank ⌈n / 2⌉ and ⌈9n / 10⌉ of each day and channel, with the orders in the hours before.</summary>
    static async Task<List<Wanted>> WantedHoursAsync(ProjectionBatch batch, IReadOnlyCollection<Row> keys)
    {
        var pairs = JsonRows.Serialize(batch.Dialect, keys.Select(k => new { day = k.Day, channel = k.Channel }));
        // One index range per day and channel: PostgreSQL would otherwise hash-join the whole table (a lateral subquery
        // that "offset 0" keeps from being flattened stays on the index); SQLite loops over the JSON rows and searches it.
        var hours = batch.Dialect == SqlDialect.Postgres
            ? "select w.day, w.channel, h.hour, h.orders from json_to_recordset(@rows::json) as w(day text, channel text) " +
              "cross join lateral (select h.hour, h.orders from kpi_cycle_hours h where h.day = w.day and h.channel = w.channel offset 0) h"
            : "select h.day, h.channel, h.hour, h.orders from json_each(@rows) w " +
              "join kpi_cycle_hours h on h.day = json_extract(w.value, '$.day') and h.channel = json_extract(w.value, '$.channel')";
        return [.. await batch.QueryAsync<Wanted>(
            $"""
            select day as {nameof(Wanted.Day)}, channel as {nameof(Wanted.Channel)}, hour as {nameof(Wanted.Hour)}, before as {nameof(Wanted.Before)},
                   case when r50 > before and r50 <= before + orders then r50 else 0 end as {nameof(Wanted.Rank50)},
                   case when r90 > before and r90 <= before + orders then r90 else 0 end as {nameof(Wanted.Rank90)}
            from (
              select day, channel, hour, orders, before, (total + 1) / 2 as r50, (9 * total + 9) / 10 as r90
              from (
                select day, channel, hour, orders,
                       cast(sum(orders) over (partition by day, channel order by hour) as bigint) - orders as before,
                       cast(sum(orders) over (partition by day, channel) as bigint) as total
                from ({hours}) h
              ) counted
            ) ranked
            where (r50 > before and r50 <= before + orders) or (r90 > before and r90 <= before + orders)
            """, new { rows = pairs })];
    }

    /// <summary>The exact time at each wanted rank: the wanted hour's times in order, counted on from the orders before it.</summary>
    static async Task<List<Row>> PercentilesAsync(ProjectionBatch batch, List<Wanted> wanted)
    {
        if (wanted.Count == 0) return [];
        var hoursJson = System.Text.Json.JsonSerializer.Serialize(wanted.Select((w, i) => new
        {
            i, d = w.Day, c = w.Channel, lo = w.Hour * TimeSpan.TicksPerHour, hi = (w.Hour + 1) * TimeSpan.TicksPerHour,
        }));
        var wantedRows = batch.Dialect == SqlDialect.Postgres
            ? "select i, d, c, lo, hi from json_to_recordset(@hours::json) as w(i bigint, d text, c text, lo bigint, hi bigint)"
            : "select json_extract(value, '$.i') as i, json_extract(value, '$.d') as d, json_extract(value, '$.c') as c, " +
              "json_extract(value, '$.lo') as lo, json_extract(value, '$.hi') as hi from json_each(@hours)";
        const string range = "t.day = w.d and t.channel = w.c and t.cycle_ticks >= w.lo and t.cycle_ticks < w.hi";
        var times = (await batch.QueryAsync<(long Index, long Ticks, long Orders)>(batch.Dialect == SqlDialect.Postgres
                ? $"select w.i, t.cycle_ticks, t.orders from ({wantedRows}) w cross join lateral (select t.cycle_ticks, t.orders from kpi_cycle_times t where {range} offset 0) t"
                : $"select w.i, t.cycle_ticks, t.orders from ({wantedRows}) w join kpi_cycle_times t on {range}",
            new { hours = hoursJson })).ToLookup(t => t.Index);
        var result = new Dictionary<(string Day, string Channel), (long P50, long P90)>();
        foreach (var (w, i) in wanted.Select((w, i) => (w, (long)i)))
        {
            var seen = w.Before;
            foreach (var t in times[i].OrderBy(t => t.Ticks))
            {
                var reached = seen + t.Orders;
                var current = result.GetValueOrDefault((w.Day, w.Channel));
                if (w.Rank50 > seen && w.Rank50 <= reached) current.P50 = t.Ticks;
                if (w.Rank90 > seen && w.Rank90 <= reached) current.P90 = t.Ticks;
                result[(w.Day, w.Channel)] = current;
                seen = reached;
            }
        }
        return [.. result.Select(r => new Row(r.Key.Day, r.Key.Channel, r.Value.P50, r.Value.P90))];
    }
}
