using Dapper;
using EventSourcedOms.Application.Tests.Support;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Application.Orders.ConfirmPick;
using EventSourcedOms.Application.Orders.PackOrder;
using EventSourcedOms.Application.Orders.ShipOrder;
using EventSourcedOms.Application.Orders.StartPicking;
using EventSourcedOms.Domain;
using EventSourcedOms.Projections.FulfilmentQueue;
using EventSourcedOms.Projections.Kpis;
using EventSourcedOms.Projections.OrderSummary;
using static EventSourcedOms.Application.Tests.Support.Commands;

namespace EventSourcedOms.Projections.Tests;

/// <summary>
/// The pre-aggregated tables (status counts, fulfilment summary per location and ship-by hour, KPI counters) against a
/// recount from the detail rows done here, with plain SQL and the test's own arithmetic. Every test that checks its rows
/// against the log (<see cref="AssertRowsMatchTheLogAsync"/>) also checks this.
/// </summary>
public abstract partial class ProjectionScenarios
{
    static CancellationToken CounterCt => TestContext.Current.CancellationToken;

    protected async Task AssertCountersEqualARecountAsync()
    {
        await using var conn = await Db.OpenAsync(CounterCt);
        var summary = (await conn.QueryAsync<(string Status, string? Hold, string Day, string Channel, string Currency, long Ordered, long TotalE4,
            long FirstAllocated, long BackorderedAtPlacement, DateTimeOffset PlacedAt, DateTimeOffset? ShippedAt, DateTimeOffset? PromisedShipBy)>(
            """
            select status, hold_reason, placed_day, channel, currency, ordered_units, total_e4, first_allocated_units, backordered_at_placement,
                   placed_at, shipped_at, promised_ship_by
            from order_summary
            """)).ToList();

        Assert.Equal(
            summary.GroupBy(o => o.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, (long)g.Count(), (long)g.Count(o => o.Hold is not null))),
            (await new OrderSummaryQueries(Db).StatusCountsAsync(CounterCt)).Select(s => (s.Status, s.Orders, s.OnHold)));

        // The SKU index: every SKU of every order's lines, once, with the order's placement time.
        Assert.Equal(
            await conn.QueryAsync<(string, DateTimeOffset, string)>(
                "select distinct l.sku, s.placed_at, s.order_id from order_lines l join order_summary s on s.order_id = l.order_id order by 1, 2, 3"),
            await conn.QueryAsync<(string, DateTimeOffset, string)>("select sku, placed_at, order_id from order_skus order by 1, 2, 3"));

        var daily = (await conn.QueryAsync<(string, string, string, long, long, long, long, long, long, long, long, long, long)>(
            """
            select day, channel, currency, orders, units, total_e4, cancelled, backordered, first_allocated_units, shipped, cycle_ticks, promised_shipped, on_time
            from kpi_daily order by day, channel, currency
            """)).ToList();
        Assert.Equal(summary.GroupBy(o => (o.Day, o.Channel, o.Currency)).OrderBy(g => g.Key.Day, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Channel, StringComparer.Ordinal).ThenBy(g => g.Key.Currency, StringComparer.Ordinal)
            .Select(g =>
            {
                var shipped = g.Where(o => o.ShippedAt is not null).ToList();
                var promised = shipped.Where(o => o.PromisedShipBy is not null).ToList();
                return (g.Key.Day, g.Key.Channel, g.Key.Currency, (long)g.Count(), g.Sum(o => o.Ordered), g.Sum(o => o.TotalE4), (long)g.Count(o => o.Status == "cancelled"),
                    (long)g.Count(o => o.BackorderedAtPlacement == 1), g.Sum(o => o.FirstAllocated), (long)shipped.Count,
                    shipped.Sum(o => (o.ShippedAt!.Value - o.PlacedAt).Ticks), (long)promised.Count, (long)promised.Count(o => o.ShippedAt <= o.PromisedShipBy));
            }), daily);

        var cycles = summary.Where(o => o.ShippedAt is not null).Select(o => (o.Day, o.Channel, Ticks: (o.ShippedAt!.Value - o.PlacedAt).Ticks)).ToList();
        Assert.Equal(cycles.GroupBy(c => (c.Day, c.Channel, Hour: (long)Math.Floor(c.Ticks / (double)TimeSpan.TicksPerHour))).Select(g => (g.Key.Day, g.Key.Channel, g.Key.Hour, (long)g.Count()))
                .OrderBy(x => x.Day, StringComparer.Ordinal).ThenBy(x => x.Channel, StringComparer.Ordinal).ThenBy(x => x.Hour),
            await conn.QueryAsync<(string, string, long, long)>("select day, channel, hour, orders from kpi_cycle_hours order by day, channel, hour"));
        Assert.Equal(cycles.GroupBy(c => c).Select(g => (g.Key.Day, g.Key.Channel, g.Key.Ticks, (long)g.Count()))
                .OrderBy(x => x.Day, StringComparer.Ordinal).ThenBy(x => x.Channel, StringComparer.Ordinal).ThenBy(x => x.Ticks),
            await conn.QueryAsync<(string, string, long, long)>("select day, channel, cycle_ticks, orders from kpi_cycle_times order by day, channel, cycle_ticks"));

        // Nearest-rank p50 and p90 of each day and channel's cycle times, ranked here in exact integer arithmetic.
        Assert.Equal(cycles.GroupBy(c => (c.Day, c.Channel)).Select(g =>
                {
                    var sorted = g.Select(c => c.Ticks).Order().ToList();
                    return (g.Key.Day, g.Key.Channel, sorted[(sorted.Count + 1) / 2 - 1], sorted[(9 * sorted.Count + 9) / 10 - 1]);
                })
                .OrderBy(x => x.Day, StringComparer.Ordinal).ThenBy(x => x.Channel, StringComparer.Ordinal),
            await conn.QueryAsync<(string, string, long, long)>("select day, channel, p50_ticks, p90_ticks from kpi_cycle_percentiles order by day, channel"));

        var queue = (await conn.QueryAsync<(string Location, long ToPick, long ToPack, long ToShip, long OnHold, DateTimeOffset? Promised)>(
            "select location, to_pick, to_pack, to_ship, on_hold, promised_ship_by from fulfilment_queue")).ToList();
        Assert.Equal(queue.GroupBy(q => q.Location).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, (long)g.Count(),
                (long)g.Count(q => q.ToPick > 0), g.Sum(q => q.ToPick), (long)g.Count(q => q.ToPack > 0), g.Sum(q => q.ToPack),
                (long)g.Count(q => q.ToShip > 0), g.Sum(q => q.ToShip), g.Sum(q => q.OnHold))),
            await conn.QueryAsync<(string, long, long, long, long, long, long, long, long)>(
                "select location, entries, orders_to_pick, units_to_pick, orders_to_pack, units_to_pack, orders_to_ship, units_to_ship, on_hold from fulfilment_queue_locations order by location"));
        Assert.Equal(queue.Where(q => q.Promised is not null)
                .GroupBy(q => (q.Location, Hour: new DateTimeOffset(q.Promised!.Value.Year, q.Promised.Value.Month, q.Promised.Value.Day, q.Promised.Value.Hour, 0, 0, TimeSpan.Zero)))
                .OrderBy(g => g.Key.Location, StringComparer.Ordinal).ThenBy(g => g.Key.Hour).Select(g => (g.Key.Location, g.Key.Hour, (long)g.Count())),
            await conn.QueryAsync<(string, DateTimeOffset, long)>("select location, hour, entries from fulfilment_queue_ship_by order by location, hour"));
    }

    [Fact]
    public async Task breached_and_at_risk_counts_equal_the_rows_counted_at_any_time_of_the_hour()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-T", "wh-1", 100));
        // Promises spread over 60 hours at odd minutes, two at the exact start of an hour.
        for (var i = 0; i < 40; i++)
            await Node.Send(Place(BackorderPolicies.Reject, ("SKU-T", 1)) with
            {
                OrderId = $"ord-t{i}",
                PromisedShipBy = Time.GetUtcNow().AddMinutes(i is 7 or 21 ? 60 * i : 90 * i + 17),
            });
        await CatchUpAsync();
        var start = Time.GetUtcNow();
        var promised = (await new OrderSummaryQueries(Db).ListAsync(new OrderFilter(), null, 100, Ct)).Orders.Select(o => o.PromisedShipBy!.Value).ToList();

        // On the hour, a minute either side of it, and at times that put a promise exactly at now and at now + 24 h.
        var times = new[] { 0, 59, 60, 61, 17 + 90 * 3, 60 * 7, 60 * 21 - 24 * 60 + 1440, 1000, 2500 }.Select(m => start.AddMinutes(m)).ToList();
        times.Add(promised[5].AddHours(-24));
        foreach (var now in times)
        {
            var at = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now);
            var queue = Assert.Single(await new FulfilmentQueueQueries(Db, at).ByLocationAsync("wh-1", Ct));
            Assert.Equal((promised.Count(p => p < now), promised.Count(p => p >= now && p < now.AddHours(24))), (queue.Breached, queue.AtRisk));
        }
        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task cycle_time_percentiles_are_the_nearest_rank_of_the_shipped_orders_as_shipments_arrive()
    {
        await Node.Send(Warehouse("wh-a", 1));
        await Node.Send(Receive("SKU-1", "wh-a", 70));
        var placed = Time.GetUtcNow();
        for (var i = 0; i < 70; i++) await Node.Send(Place(BackorderPolicies.Reject, ("SKU-1", 1)) with { OrderId = $"ord-c{i:00}" });
        var kpis = new KpiQueries(Db);
        var day = DateOnly.FromDateTime(placed.UtcDateTime);
        for (var i = 0; i < 70; i++)
        {
            Time.SetUtcNow(placed.AddMinutes(i + 1));  // order i ships i + 1 minutes after its placement
            var id = $"ord-c{i:00}";
            await Node.Send(new StartPicking(id));
            await Node.Send(new ConfirmPick(id, "wh-a", [new LineQuantity(1, 1)]));
            await Node.Send(new PackOrder(id, "wh-a", [new Package($"pkg-{i}", 100, [new LineQuantity(1, 1)])]));
            await Node.Send(new ShipOrder(id, $"shp-{i}", "wh-a", "DHL", "parcel", $"T{i}", [new LineQuantity(1, 1)]));
            if (i is 0 or 9 or 58 or 69)
            {
                await CatchUpAsync();
                // Nearest rank: ⌈n / 2⌉ and ⌈9n / 10⌉ of the n shipped so far (for 70: the 35th and the 63rd, not the 64th).
                var n = i + 1;
                var kpi = Assert.Single(await kpis.ByDayAndChannelAsync(day, day.AddDays(1), null, Ct));
                Assert.Equal(((n + 1) / 2 / 60.0, (9 * n + 9) / 10 / 60.0), (kpi.CycleTimeHoursP50, kpi.CycleTimeHoursP90));
            }
        }
        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task a_projection_that_gains_a_table_projects_again_from_the_start_when_migrated()
    {
        await RunBusinessDayAsync();
        await CatchUpAsync();
        var before = await new FulfilmentQueueQueries(Db, Time).ByLocationAsync(null, Ct);
        // The version before the per-location counters: the table does not exist yet.
        await using (var conn = await Db.OpenAsync(Ct))
            await conn.ExecuteAsync("drop table fulfilment_queue_locations");

        await Db.MigrateAsync(All, Ct);

        Assert.Null(await CheckpointAsync("fulfilment_queue"));
        Assert.NotNull(await CheckpointAsync("order_summary"));
        await CatchUpAsync();
        Assert.Equal(before, await new FulfilmentQueueQueries(Db, Time).ByLocationAsync(null, Ct));
        await AssertRowsMatchTheLogAsync();
    }
}
