using Dapper;
using EventSourcedOms.Application.Inventory.SetSafetyStock;
using EventSourcedOms.Application.Orders.CancelOrder;
using EventSourcedOms.Application.Orders.CancelOrderLine;
using EventSourcedOms.Application.Orders.ConfirmDelivery;
using EventSourcedOms.Application.Orders.ConfirmPick;
using EventSourcedOms.Application.Orders.HoldOrder;
using EventSourcedOms.Application.Orders.PackOrder;
using EventSourcedOms.Application.Orders.ReleaseOrder;
using EventSourcedOms.Application.Orders.ShipOrder;
using EventSourcedOms.Application.Orders.StartPicking;
using EventSourcedOms.Application.Tests.Support;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections.FulfilmentQueue;
using EventSourcedOms.Projections.Inventory;
using EventSourcedOms.Projections.Kpis;
using EventSourcedOms.Projections.OrderTimeline;
using EventSourcedOms.Projections.OrderLines;
using EventSourcedOms.Projections.OrderSummary;
using EventSourcedOms.Projections.Runner;
using Microsoft.Extensions.Time.Testing;
using Snapshooter.Xunit3;
using static EventSourcedOms.Application.Tests.Support.Commands;

namespace EventSourcedOms.Projections.Tests;

/// <summary>
/// Events in (through the real command pipeline), rows out (through the runner), on each backend, with the read models
/// in the same database as the events. Every test compares the rows with the store's own log, folded independently.
/// </summary>
public abstract partial class ProjectionScenarios : IAsyncLifetime
{
    protected readonly string Name = "proj_" + Guid.NewGuid().ToString("N")[..10];
    IEventStore? _store;
    OmsNode? _node;

    protected abstract Task<IEventStore> OpenStoreAsync();
    protected abstract ProjectionDatabase OpenReadModels();
    protected abstract Task DropAsync();

    /// <summary>Arguments that point the standalone worker at this test's store and read models.</summary>
    protected abstract string[] WorkerArguments();

    protected FakeTimeProvider Time { get; } = Clock.At("2026-11-20T09:00:00Z");
    protected IEventStore Store => _store!;
    protected OmsNode Node => _node!;
    protected ProjectionDatabase Db { get; private set; } = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static IProjection[] All =>
        [new OrderSummaryProjection(), new OrderLinesProjection(), new OrderTimelineProjection(), new InventoryProjection(), new FulfilmentQueueProjection()];

    public async ValueTask InitializeAsync()
    {
        _store = await OpenStoreAsync();
        _node = OmsNode.Create(_store, Time);
        Db = OpenReadModels();
        await Db.MigrateAsync(All, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
        if (_store is not null) await _store.DisposeAsync();
        Db?.ClearPool();  // each test's read models have their own pools: their idle connections would stay open for minutes
        await DropAsync();
    }

    /// <summary>A day of an OMS: splits, a backorder filled by a receipt, a hold, a partial cancel, picking, two shipments, a delivery.</summary>
    protected async Task RunBusinessDayAsync()
    {
        await Node.Send(Warehouse("wh-a", 1));
        await Node.Send(Warehouse("wh-b", 2));
        await Node.Send(Receive("SKU-1", "wh-a", 3));
        await Node.Send(Receive("SKU-1", "wh-b", 4));
        await Node.Send(Receive("SKU-2", "wh-a", 10));
        await Node.Send(new SetSafetyStock("SKU-2", "wh-a", 2));

        var split = await Node.Send(Place(BackorderPolicies.Reject, ("SKU-1", 5), ("SKU-2", 1)) with { OrderId = "ord-split" });
        Time.Advance(TimeSpan.FromMinutes(5));
        var waiting = await Node.Send(Place(BackorderPolicies.Backorder, ("SKU-1", 4)) with { OrderId = "ord-waiting" });
        Time.Advance(TimeSpan.FromMinutes(5));
        var held = await Node.Send(Place(BackorderPolicies.Reject, ("SKU-2", 2)) with { OrderId = "ord-held" });
        await Node.Send(new HoldOrder(held.Id, HoldReasons.Fraud, "score 97"));
        await Node.Send(new CancelOrderLine(waiting.Id, 1, 1, "customer asked"));
        Time.Advance(TimeSpan.FromHours(1));
        await Node.Send(Receive("SKU-1", "wh-b", 5));

        await Node.Send(new StartPicking(split.Id));
        await Node.Send(new ConfirmPick(split.Id, "wh-a", [new LineQuantity(1, 3), new LineQuantity(2, 1)]));
        await Node.Send(new PackOrder(split.Id, "wh-a", [new Package("pkg-1", 1500, [new LineQuantity(1, 3), new LineQuantity(2, 1)])]));
        await Node.Send(new ShipOrder(split.Id, "shp-1", "wh-a", "DHL", "parcel", "JD014600", [new LineQuantity(1, 3), new LineQuantity(2, 1)]));
        await Node.Send(new ConfirmPick(split.Id, "wh-b", [new LineQuantity(1, 2)]));
        await Node.Send(new PackOrder(split.Id, "wh-b", [new Package("pkg-2", 900, [new LineQuantity(1, 2)])]));
        Time.Advance(TimeSpan.FromHours(3));
        await Node.Send(new ShipOrder(split.Id, "shp-2", "wh-b", "UPS", "standard", "1Z999", [new LineQuantity(1, 2)]));
        Time.Advance(TimeSpan.FromDays(1));
        await Node.Send(new ConfirmDelivery(split.Id, "shp-1"));
    }

    /// <summary>Runs the projections until each has passed the last event in the store, then stops them.</summary>
    protected async Task CatchUpAsync(params IProjection[] projections)
    {
        var head = (await Ledger.ReadAsync(Store)).Events.Max(e => e.Position);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var runs = (projections.Length == 0 ? All : projections).Select(p => new ProjectionRunner(Store, Db, p)).Select(r => r.RunAsync(stop.Token)).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var p in projections.Length == 0 ? All : projections)
        {
            while (await FilteredHeadAsync(p, head) is var target && target > 0 && ((await CheckpointAsync(p.Name))?.Position ?? 0) < target)
            {
                if (runs.FirstOrDefault(r => r.IsFaulted) is { } failed) await failed;
                Assert.True(DateTime.UtcNow < deadline, $"{p.Name} did not catch up");
                await Task.Delay(20, Ct);
            }
        }
        await stop.CancelAsync();
        foreach (var run in runs)
            try { await run; } catch (OperationCanceledException) { }
    }

    async Task<long> FilteredHeadAsync(IProjection p, long head) =>
        (await Ledger.ReadAsync(Store)).Events.Where(e => e.Position <= head && p.Filter.StreamPrefixes!.Any(x => e.Stream.StartsWith(x, StringComparison.Ordinal)))
            .Select(e => e.Position).DefaultIfEmpty(0).Max();

    protected async Task<Checkpoint?> CheckpointAsync(string name)
    {
        await using var conn = await Db.OpenAsync(Ct);
        return await Checkpoints.ReadAsync(conn, name);
    }

    /// <summary>The rows compared with the log folded by the test, and with verify's rebuild of every projection.</summary>
    protected async Task AssertRowsMatchTheLogAsync()
    {
        var maintenance = new ProjectionMaintenance(Store, Db);
        foreach (var projection in All) Assert.Empty(await maintenance.VerifyAsync(projection, Ct));
        await AssertCountersEqualARecountAsync();

        var ledger = await Ledger.ReadAsync(Store);
        await using var conn = await Db.OpenAsync(Ct);

        var lines = (await conn.QueryAsync<(string, long, string, long, long, long, long, long, long, long, long)>(
            "select order_id, line_no, sku, ordered, reserved, backordered, picked, packed, shipped, delivered, cancelled from order_lines order by order_id, line_no")).ToList();
        Assert.Equal(ledger.Orders.Values.OrderBy(o => o.OrderId, StringComparer.Ordinal).SelectMany(o => o.Lines.Select(l =>
            (o.OrderId, (long)l.LineNo, l.Sku, (long)l.Ordered, (long)l.Reserved, (long)l.Backordered, (long)l.Picked, (long)l.Packed, (long)l.Shipped, (long)l.Delivered, (long)l.Cancelled))), lines);

        var orders = (await conn.QueryAsync<(string, string, long, long, string?, string)>(
            "select order_id, status, units, backordered_units, hold_reason, locations from order_summary order by order_id")).ToList();
        Assert.Equal(ledger.Orders.Values.OrderBy(o => o.OrderId, StringComparer.Ordinal).Select(o =>
            (o.OrderId, o.Status.ToCode(), (long)o.Lines.Sum(l => l.Open), (long)o.Lines.Sum(l => l.Backordered), o.Hold?.Reason,
             string.Join(',', o.Lines.SelectMany(l => l.Allocations).Where(a => a.Allocated > 0).Select(a => a.Location).Distinct().Order(StringComparer.Ordinal)))), orders);

        var levels = (await conn.QueryAsync<(string, string, long, long, long, long)>(
            "select sku, location, on_hand, reserved, safety_stock, available from inventory_levels order by sku, location")).ToList();
        Assert.Equal(ledger.Stock.Values.OrderBy(s => s.Sku, StringComparer.Ordinal).ThenBy(s => s.Location, StringComparer.Ordinal)
            .Select(s => (s.Sku, s.Location, (long)s.OnHand, (long)s.Reserved, (long)s.SafetyStock, (long)s.AvailableToPromise)), levels);

        var queue = (await conn.QueryAsync<(string, string, long, long, long, long)>(
            "select order_id, location, to_pick, to_pack, to_ship, on_hold from fulfilment_queue order by order_id, location")).ToList();
        Assert.Equal(ledger.Orders.Values.OrderBy(o => o.OrderId, StringComparer.Ordinal).SelectMany(o => o.Lines.SelectMany(l => l.Allocations)
                .GroupBy(a => a.Location).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (o.OrderId, g.Key, (long)g.Sum(a => a.Allocated - a.Picked), (long)g.Sum(a => a.Picked - a.Packed), (long)g.Sum(a => a.Packed - a.Shipped), o.Hold is null ? 0L : 1L)))
            .Where(r => r.Item3 + r.Item4 + r.Item5 > 0), queue);

        var timeline = (await conn.QueryAsync<(string, long)>("select order_id, revision from order_timeline order by order_id, revision")).ToList();
        Assert.Equal(ledger.Events.Where(e => e.Stream.StartsWith(Streams.OrderPrefix, StringComparison.Ordinal))
            .Select(e => (e.Stream[Streams.OrderPrefix.Length..], e.Revision)).OrderBy(x => x.Item1, StringComparer.Ordinal).ThenBy(x => x.Item2), timeline);
    }

    [Fact]
    public async Task projected_rows_equal_the_log_folded_independently()
    {
        await RunBusinessDayAsync();

        await CatchUpAsync();

        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task the_rows_of_a_business_day_match_their_snapshot()
    {
        await RunBusinessDayAsync();
        await CatchUpAsync();

        var orders = new OrderSummaryQueries(Db);
        var rows = new
        {
            Orders = (await orders.ListAsync(new OrderFilter(), null, 10, Ct)).Orders.Select(o => o with { LastPosition = 0 }),
            Sku1 = await new InventoryQueries(Db).BySkuAsync("SKU-1", Ct),
            Timeline = (await new OrderTimelineQueries(Db).ForOrderAsync("ord-split", Ct)).Select(e => new { e.Revision, e.EventType, e.Summary, e.OccurredAt, e.Actor }),
            Fulfilment = await new FulfilmentQueueQueries(Db, Time).ByLocationAsync(null, Ct),
            Kpis = await new KpiQueries(Db).ByDayAndChannelAsync(new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 21), null, Ct),
        };
        Snapshot.Match(rows, "ProjectionScenarios.business_day");
    }

    [Fact]
    public async Task a_runner_stopped_in_the_middle_of_a_batch_resumes_after_its_checkpoint_without_losing_or_doubling_rows()
    {
        await RunBusinessDayAsync();
        var head = (await Ledger.ReadAsync(Store)).Events.Where(e => e.Stream.StartsWith("order-", StringComparison.Ordinal)).Max(e => e.Position);
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            // The host goes away while the runner is inside its third batch: that batch's writes must vanish with it.
            var crashing = new StopsHost(new OrderLinesProjection(), stop, afterEvents: 5);
            var run = new ProjectionRunner(Store, Db, crashing) { MaxBatch = 2 }.RunAsync(stop.Token);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        }
        var stoppedAt = (await CheckpointAsync("order_lines"))!.Position;
        Assert.InRange(stoppedAt, 1, head - 1);

        await CatchUpAsync(All);

        Assert.Equal(head, (await CheckpointAsync("order_lines"))!.Position);
        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task replaying_from_the_start_over_existing_rows_changes_nothing()
    {
        await RunBusinessDayAsync();
        await CatchUpAsync();
        await using (var conn = await Db.OpenAsync(Ct))
            await conn.ExecuteAsync("update projection_checkpoints set position = 0");

        await CatchUpAsync();

        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task a_poison_event_stops_only_its_projection_and_is_recorded_not_skipped()
    {
        await RunBusinessDayAsync();
        var ledger = await Ledger.ReadAsync(Store);
        var poison = ledger.Events.First(e => e.Type == "OrderHeld.v1");
        var failing = new FailingOn(new OrderSummaryProjection(), poison.Position);

        var error = await Assert.ThrowsAsync<ProjectionStoppedException>(() => new ProjectionRunner(Store, Db, failing).RunAsync(Ct));
        await CatchUpAsync(new InventoryProjection());

        Assert.Equal(poison.Position, error.Position);
        var checkpoint = (await CheckpointAsync(failing.Name))!;
        Assert.Equal(poison.Position, checkpoint.ErrorPosition);
        Assert.Contains("OrderHeld.v1", checkpoint.Error);
        Assert.Equal(ledger.Events.Where(e => e.Stream.StartsWith("order-", StringComparison.Ordinal) && e.Position < poison.Position).Max(e => e.Position), checkpoint.Position);
        await Assert.ThrowsAsync<ProjectionStoppedException>(() => new ProjectionRunner(Store, Db, failing).RunAsync(Ct));
        Assert.Equal(ledger.Events.Where(e => e.Stream.StartsWith("stock-", StringComparison.Ordinal) || e.Stream.StartsWith("backorders-", StringComparison.Ordinal)).Max(e => e.Position),
            (await CheckpointAsync("inventory"))!.Position);
    }

    [Fact]
    public async Task one_shared_catch_up_of_every_projection_gives_the_rows_of_the_log_even_from_different_checkpoints()
    {
        await RunBusinessDayAsync();
        await CatchUpAsync(new OrderLinesProjection());   // one projection already ahead of the others

        var checkpoints = await new SharedCatchUp(Store, Db, All) { CatchUpBatch = 7 }.CatchUpAsync(long.MaxValue, null, Ct);

        var ledger = await Ledger.ReadAsync(Store);
        Assert.Equal(ledger.Events.Where(e => e.Stream.StartsWith("order-", StringComparison.Ordinal)).Max(e => e.Position), checkpoints["order_summary"]);
        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task a_poison_event_in_a_shared_catch_up_stops_only_its_projection()
    {
        await RunBusinessDayAsync();
        var ledger = await Ledger.ReadAsync(Store);
        var poison = ledger.Events.First(e => e.Type == "OrderHeld.v1");
        var failing = new FailingOn(new OrderSummaryProjection(), poison.Position);

        var error = await Assert.ThrowsAsync<ProjectionStoppedException>(() =>
            new SharedCatchUp(Store, Db, [failing, new OrderLinesProjection(), new InventoryProjection()]) { CatchUpBatch = 5 }.CatchUpAsync(long.MaxValue, null, Ct));

        Assert.Equal((failing.Name, poison.Position), (error.Projection, error.Position));
        var checkpoint = (await CheckpointAsync(failing.Name))!;
        Assert.Equal(poison.Position, checkpoint.ErrorPosition);
        var orderEvents = ledger.Events.Where(e => e.Stream.StartsWith("order-", StringComparison.Ordinal)).ToList();
        Assert.Equal(orderEvents.Where(e => e.Position < poison.Position).Max(e => e.Position), checkpoint.Position);
        Assert.Equal(orderEvents.Max(e => e.Position), (await CheckpointAsync("order_lines"))!.Position);
        Assert.Equal(ledger.Events.Where(e => e.Stream.StartsWith("stock-", StringComparison.Ordinal) || e.Stream.StartsWith("backorders-", StringComparison.Ordinal)).Max(e => e.Position),
            (await CheckpointAsync("inventory"))!.Position);
    }

    [Fact]
    public async Task a_poison_event_while_the_host_runs_stops_only_its_projection_until_its_error_is_reset()
    {
        await RunBusinessDayAsync();
        var ledger = await Ledger.ReadAsync(Store);
        var poison = ledger.Events.First(e => e.Type == "OrderHeld.v1");
        var failing = new FailingOn(new OrderSummaryProjection(), poison.Position);
        IProjection[] projections = [failing, new OrderLinesProjection(), new InventoryProjection()];
        var host = new ProjectionHost(Store, Db, projections) { LeaseRetry = TimeSpan.FromMilliseconds(100) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = host.RunAsync(stop.Token);
        await Until(() => host.Activities.GetValueOrDefault(failing.Name) == ProjectionActivity.Failed);

        var placed = await Node.Send(Place(BackorderPolicies.Backorder, ("SKU-2", 1)) with { OrderId = "ord-after-poison" });
        var ryw = new ReadYourWrites(Store, Db);
        Assert.True(await ryw.WaitForAsync(projections[1], placed.Position, TimeSpan.FromSeconds(10), Ct));
        Assert.True(await ryw.WaitForAsync(projections[2], placed.Position, TimeSpan.FromSeconds(10), Ct));
        var checkpoint = (await CheckpointAsync(failing.Name))!;
        Assert.Equal(poison.Position, checkpoint.ErrorPosition);
        Assert.Equal(ledger.Events.Where(e => e.Stream.StartsWith("order-", StringComparison.Ordinal) && e.Position < poison.Position).Max(e => e.Position), checkpoint.Position);
        Assert.Equal([ProjectionActivity.Failed, ProjectionActivity.Running, ProjectionActivity.Running], projections.Select(p => host.Activities[p.Name]));

        // The host regroups (here: another projection paused and resumed): the stopped one never shows as running meanwhile.
        var seen = new System.Collections.Concurrent.ConcurrentBag<ProjectionActivity>();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            while (!sampling.IsCancellationRequested)
            {
                if (host.Activities.TryGetValue(failing.Name, out var activity)) seen.Add(activity);
                Thread.Yield();
            }
        }, Ct);
        await using (await host.PauseAsync(projections[1].Name, Ct))
            await Until(() => host.Activities.GetValueOrDefault(projections[1].Name) == ProjectionActivity.Paused);
        await Until(() => host.Activities.GetValueOrDefault(projections[1].Name) == ProjectionActivity.Running);
        await sampling.CancelAsync();
        await sampler;
        Assert.Equal([ProjectionActivity.Failed], seen.Distinct());

        // A fixed projector is deployed and the operator resumes it: the running host picks it up again by itself.
        failing.Fixed = true;
        var resumed = await RunWorkerAsync("--resume", failing.Name);
        Assert.Equal(0, resumed.ExitCode);
        Assert.Contains($"resume order_summary: cleared the error at position {poison.Position}", resumed.Output);
        Assert.True(await ryw.WaitForAsync(failing, placed.Position, TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(ProjectionActivity.Running, host.Activities[failing.Name]);
        await stop.CancelAsync();
        await run;
        var maintenance = new ProjectionMaintenance(Store, Db);
        foreach (var projection in projections) Assert.Empty(await maintenance.VerifyAsync(projection, Ct));
    }

    [Fact]
    public async Task a_restarted_inventory_projection_folds_on_from_its_rows_without_reading_stock_streams_back()
    {
        await RunBusinessDayAsync();
        await CatchUpAsync(new InventoryProjection());
        await Node.Send(Receive("SKU-1", "wh-a", 2));
        await Node.Send(Receive("SKU-2", "wh-a", 1));
        await Node.Send(Place(BackorderPolicies.Reject, ("SKU-1", 1), ("SKU-2", 3)) with { OrderId = "ord-after-restart" });
        var counting = new CountingStore(Store);

        await new SharedCatchUp(counting, Db, [new InventoryProjection()]).CatchUpAsync(long.MaxValue, null, Ct);

        Assert.Equal(0, counting.StockStreamReads);
        Assert.Empty(await new ProjectionMaintenance(Store, Db).VerifyAsync(new InventoryProjection(), Ct));
        await CatchUpAsync();
        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task inventory_rows_of_an_older_version_get_the_revision_column_and_fold_from_the_store_until_rebuilt()
    {
        await RunBusinessDayAsync();
        await CatchUpAsync(new InventoryProjection());
        await using (var conn = await Db.OpenAsync(Ct))
            await conn.ExecuteAsync("alter table inventory_levels drop column last_revision");  // as an older version created it
        await Db.MigrateAsync(All, Ct);
        await using (var conn = await Db.OpenAsync(Ct))
            Assert.Equal([-1L], await conn.QueryAsync<long>("select distinct last_revision from inventory_levels"));

        await Node.Send(Receive("SKU-1", "wh-a", 2));
        var counting = new CountingStore(Store);
        await new SharedCatchUp(counting, Db, [new InventoryProjection()]).CatchUpAsync(long.MaxValue, null, Ct);

        Assert.True(counting.StockStreamReads > 0, "a row without its revision is no state to fold on from");
        var maintenance = new ProjectionMaintenance(Store, Db);
        Assert.All(await maintenance.VerifyAsync(new InventoryProjection(), Ct), d => Assert.NotEqual("SKU-1|wh-a", d.Key));
        await maintenance.RebuildAsync(new InventoryProjection(), null, Ct);
        await CatchUpAsync();
        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task a_host_reads_the_log_once_for_its_order_projections_and_once_for_inventory()
    {
        await RunBusinessDayAsync();
        var counting = new CountingStore(Store);
        var host = new ProjectionHost(counting, Db, All) { LeaseRetry = TimeSpan.FromMilliseconds(100) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = host.RunAsync(stop.Token);

        await PlaceAndWaitForAllAsync("ord-1");
        await PlaceAndWaitForAllAsync("ord-2");

        // Four projections of order streams share one subscription (one read, deserialisation and fold of each event);
        // inventory, on stock streams, has its own.
        Assert.Equal(2, counting.Subscriptions);
        await stop.CancelAsync();
        await run;
        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task status_shows_what_each_projection_still_has_to_apply_and_what_stopped_it()
    {
        await RunBusinessDayAsync();
        var orderEvents = (await Ledger.ReadAsync(Store)).Events.Count(e => e.Stream.StartsWith("order-", StringComparison.Ordinal));
        var status = new ProjectionStatusQueries(Store, Db, Time);

        var before = Assert.Single(await status.AllAsync([new OrderSummaryProjection()], Ct));
        await CatchUpAsync(new OrderSummaryProjection());
        var after = Assert.Single(await status.AllAsync([new OrderSummaryProjection()], Ct));
        await using (var conn = await Db.OpenAsync(Ct))
            await Checkpoints.FailAsync(conn, "order_summary", 42, "projector bug", Time.GetUtcNow());
        var failed = Assert.Single(await status.AllAsync([new OrderSummaryProjection()], Ct));

        Assert.Equal((orderEvents, 0L, true), (before.PendingEvents, before.Position, before.Healthy));
        Assert.Equal((0L, (TimeSpan?)null, true), (after.PendingEvents, after.OldestPendingAge, after.Healthy));
        Assert.Equal((false, 42L, "projector bug"), (failed.Healthy, failed.ErrorPosition!.Value, failed.Error));
    }

    [Fact]
    public async Task order_pages_follow_a_stable_keyset_cursor_with_filters()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-P", "wh-1", 100));
        for (var i = 0; i < 7; i++)
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            await Node.Send(Place(BackorderPolicies.Reject, ("SKU-P", 1)) with { OrderId = $"ord-{i}", Channel = i % 2 == 0 ? "web" : "pos:berlin" });
        }
        await CatchUpAsync(new OrderSummaryProjection());
        var queries = new OrderSummaryQueries(Db);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await queries.ListAsync(new OrderFilter(Channel: "web"), cursor, 2, Ct);
            seen.AddRange(page.Orders.Select(o => o.OrderId));
            cursor = page.NextCursor;
        } while (cursor is not null);

        Assert.Equal(["ord-6", "ord-4", "ord-2", "ord-0"], seen);
        Assert.Throws<ArgumentException>(() => { queries.ListAsync(new OrderFilter(), "not-a-cursor", 2, Ct).GetAwaiter().GetResult(); });
    }

    [Fact]
    public async Task verify_reports_every_row_that_differs_from_a_replay_of_the_log()
    {
        await RunBusinessDayAsync();
        await CatchUpAsync();
        await using (var conn = await Db.OpenAsync(Ct))
        {
            await conn.ExecuteAsync("update order_lines set picked = picked + 1 where order_id = 'ord-held'");
            await conn.ExecuteAsync("delete from inventory_levels where sku = 'SKU-2'");
            await conn.ExecuteAsync("insert into order_timeline values ('ghost', 0, 1, 'OrderPlaced.v1', 'x', @at, @at, null, null)", new { at = Time.GetUtcNow() });
        }
        var maintenance = new ProjectionMaintenance(Store, Db);

        var lines = await maintenance.VerifyAsync(new OrderLinesProjection(), Ct);
        var inventory = await maintenance.VerifyAsync(new InventoryProjection(), Ct);
        var timeline = await maintenance.VerifyAsync(new OrderTimelineProjection(), Ct);

        Assert.Equal(("order_lines", "ord-held|1", "changed"), Assert.Single(lines) is var l ? (l.Table, l.Key, l.Kind) : default);
        Assert.Contains("picked=1", Assert.Single(lines).Live);
        Assert.Equal([("inventory_levels", "SKU-2|wh-a", "only-rebuilt")], inventory.Select(d => (d.Table, d.Key, d.Kind)));
        Assert.Equal([("order_timeline", "ghost|0", "only-live")], timeline.Select(d => (d.Table, d.Key, d.Kind)));
        Assert.Empty(await maintenance.VerifyAsync(new OrderSummaryProjection(), Ct));
    }

    [Fact]
    public async Task a_rebuild_replaces_damaged_rows_while_the_host_keeps_serving_and_projecting()
    {
        await using var host = await RunHostAfterABusinessDayAsync();
        await using (var conn = await Db.OpenAsync(Ct))
            await conn.ExecuteAsync("update order_summary set status = 'corrupted'");
        var progress = new List<RebuildProgress>();

        await host.RebuildAsync(new OrderSummaryProjection(), new Progress<RebuildProgress>(progress.Add), Ct);
        await PlaceAndWaitForAllAsync("ord-after");

        Assert.Equal("reserved", (await new OrderSummaryQueries(Db).GetAsync("ord-after", Ct))!.Status);
        await host.StopAsync();
        await AssertRowsMatchTheLogAsync();
    }

    /// <summary>
    /// The live tables' indexes. PostgreSQL: with the tables' keys, which a rebuild leaves out of its insert-only tables
    /// while it replays. SQLite: by table and definition (a SQLite rebuild swaps in indexes under the other of two names).
    /// </summary>
    async Task<List<string>> IndexesAsync()
    {
        await using var conn = await Db.OpenAsync(Ct);
        if (Db.Dialect == SqlDialect.Postgres)
            return [.. await conn.QueryAsync<string>(
                """
                select indexname::text from pg_indexes where schemaname = current_schema()
                union all
                select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint
                where connamespace = current_schema()::regnamespace and contype = 'p'
                order by 1
                """)];
        return [.. (await conn.QueryAsync<(string Table, string Name, string? Sql)>("select tbl_name, name, sql from sqlite_master where type = 'index'"))
            .Select(i => i.Sql is null
                ? $"{i.Table}: {i.Name}"
                : $"{i.Table}: " + System.Text.RegularExpressions.Regex.Replace(i.Sql, @"^create\s+(unique\s+)?index\s+(if\s+not\s+exists\s+)?\S+\s+on\s+""?(\w+)""?\s*\(",
                    "create $1index on $3 (", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            .Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task a_rebuild_of_every_read_model_at_once_replaces_damaged_rows_keeps_every_index_and_reports_progress()
    {
        await using var host = await RunHostAfterABusinessDayAsync();
        var indexes = await IndexesAsync();
        if (Db.Dialect == SqlDialect.Sqlite) Assert.Contains("order_summary: create index on order_summary (status, placed_at desc, order_id desc)", indexes);
        await using (var conn = await Db.OpenAsync(Ct))
            await conn.ExecuteAsync("update order_summary set status = 'corrupted'; delete from inventory_levels; delete from order_timeline");
        var progress = new List<RebuildProgress>();

        var times = await host.RebuildAsync(All, new ImmediateProgress<RebuildProgress>(progress.Add), Ct);
        await PlaceAndWaitForAllAsync("ord-after");

        if (Db.Dialect == SqlDialect.Postgres) Assert.Contains("order_timeline order_timeline_pkey PRIMARY KEY (order_id, revision)", indexes);
        Assert.Equal(indexes, await IndexesAsync());  // the indexes left out while replaying are built again before the swap
        if (Db.Dialect == SqlDialect.Postgres)
            await using (var conn = await Db.OpenAsync(Ct))  // and the new tables go live vacuumed, with planner statistics
                Assert.Empty(await conn.QueryAsync<string>(
                    """
                    select relname from pg_stat_user_tables where schemaname = current_schema() and relname = any(@tables)
                    and (last_analyze is null and last_autoanalyze is null or last_vacuum is null and last_autovacuum is null)
                    """,
                    new { tables = All.SelectMany(p => p.Tables).Select(t => t.Table).ToArray() }));
        var last = Assert.Single(progress);  // one page of events in this store
        Assert.Equal(string.Join(",", All.Select(p => p.Name)), last.Projection);
        Assert.True(last.Events > 0 && last.EventsPerSecond > 0);
        Assert.Equal(last.Events, times.Events);
        Assert.True(times.Replay > TimeSpan.Zero && times.Finish > TimeSpan.Zero && times.Swap > TimeSpan.Zero);
        Assert.Equal(Db.Dialect == SqlDialect.Sqlite, times.Stage > TimeSpan.Zero);

        // Once more (SQLite: the indexes go back to their first names), and a restart's migration builds none of them twice.
        await host.RebuildAsync(All, null, Ct);
        Assert.Equal(indexes, await IndexesAsync());
        await host.RebuildAsync(All, null, Ct);
        await Db.MigrateAsync(All, Ct);
        Assert.Equal(indexes, await IndexesAsync());
        if (Db.Dialect == SqlDialect.Sqlite)
        {
            await using (var conn = await Db.OpenAsync(Ct))
            {
                // An index the schema drops, swapped in under its other name; and an older build's migration, which knew
                // nothing of other names, building every index once more under its first name.
                await conn.ExecuteAsync("create index order_summary_day__r on order_summary (placed_at)");
                await conn.ExecuteAsync(Db.Sql("OrderSummary", "schema"));
            }
            Assert.NotEqual(indexes, await IndexesAsync());
            await Db.MigrateAsync(All, Ct);  // drops the index under either name
            await host.RebuildAsync(All, null, Ct);  // stages beside both names, and swaps in one of each
            Assert.Equal(indexes, await IndexesAsync());
        }
        await PlaceAndWaitForAllAsync("ord-last");
        await host.StopAsync();
        foreach (var p in All) Assert.Empty(await host.VerifyAsync(p, Ct));
        await AssertRowsMatchTheLogAsync();
    }

    /// <summary>
    /// Orders placed, cancelled and released while a rebuild finishes — SQLite: after it copied its tables into the live
    /// file (a few rows per transaction here), and again just before it pauses the projections — are in the tables it
    /// swaps in: the projections go on from the rebuild's checkpoint, so a change missing there would be missing for good.
    /// </summary>
    [Fact]
    public async Task orders_changed_while_a_rebuild_finishes_are_in_the_tables_it_swaps_in()
    {
        await using var host = await RunHostAfterABusinessDayAsync();
        var steps = new List<string>();
        var maintenance = new ProjectionMaintenance(Store, Db)
        {
            SqliteCopyChunk = 2,
            StepReached = async step =>
            {
                steps.Add(step);
                await PlaceAndWaitForAllAsync("ord-" + step);
                if (step == "pausing")
                {
                    await Node.Send(new ReleaseOrder("ord-held"));
                    await Node.Send(new CancelOrder("ord-before", "customer asked"));  // its rows leave the fulfilment queue
                }
                else await Node.Send(new CancelOrder("ord-waiting", "customer asked"));
                await PlaceAndWaitForAllAsync("ord-" + step + "-2");
            },
        };

        await maintenance.RebuildAsync(All, null, Ct, p => host.Host.PauseAsync(p.Name, Ct));
        await PlaceAndWaitForAllAsync("ord-after");

        Assert.Equal(Db.Dialect == SqlDialect.Sqlite ? ["staged", "pausing"] : ["pausing"], steps);
        var summaries = new OrderSummaryQueries(Db);
        Assert.Equal(["cancelled", "reserved"], [(await summaries.GetAsync("ord-before", Ct))!.Status, (await summaries.GetAsync("ord-pausing-2", Ct))!.Status]);
        if (Db.Dialect == SqlDialect.Sqlite) Assert.Equal("cancelled", (await summaries.GetAsync("ord-waiting", Ct))!.Status);
        await host.StopAsync();
        await AssertRowsMatchTheLogAsync();
    }

    /// <summary>
    /// A rebuild that fails late — SQLite: with its tables already copied into the live file — leaves the live tables as
    /// they were and nothing of its own behind (no staged tables, no shadow schema or file); the next one succeeds.
    /// </summary>
    [Fact]
    public async Task a_rebuild_that_fails_before_its_swap_leaves_the_live_tables_and_nothing_else_behind()
    {
        await RunBusinessDayAsync();
        await CatchUpAsync();
        async Task<List<string>> TablesAsync()
        {
            await using var conn = await Db.OpenAsync(Ct);
            if (Db.Dialect == SqlDialect.Postgres)
                return [.. await conn.QueryAsync<string>(
                    "select table_schema || '.' || table_name from information_schema.tables where starts_with(table_schema, current_schema()) order by 1")];
            var files = Directory.GetFiles(Path.GetDirectoryName(Db.SqlitePath)!, Path.GetFileName(Db.SqlitePath) + ".rebuild_*")
                .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal));  // leases' side files, which stay by design (RunnerLease)
            return [.. await conn.QueryAsync<string>("select name from sqlite_master where type = 'table' order by name"), .. files];
        }
        var tables = await TablesAsync();
        var steps = new List<string>();
        var failing = new ProjectionMaintenance(Store, Db)
        {
            StepReached = step =>
            {
                steps.Add(step);
                throw new InvalidOperationException("the rebuild stops here");
            },
        };

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.RebuildAsync(All, null, Ct));

        Assert.Equal([Db.Dialect == SqlDialect.Sqlite ? "staged" : "pausing"], steps);
        Assert.Equal(tables, await TablesAsync());
        await AssertRowsMatchTheLogAsync();
        await new ProjectionMaintenance(Store, Db).RebuildAsync(All, null, Ct);
        Assert.Equal(tables, await TablesAsync());
        await AssertRowsMatchTheLogAsync();
    }

    /// <summary>
    /// Two rebuilds of one read model would share its shadow tables: while one runs, another that includes any of its
    /// read models is refused at once, and changes nothing; once it has finished, the next one runs.
    /// </summary>
    [Fact]
    public async Task a_second_rebuild_of_a_read_model_being_rebuilt_is_refused()
    {
        await RunBusinessDayAsync();
        await CatchUpAsync();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new ProjectionMaintenance(Store, Db)
        {
            StepReached = async step =>
            {
                if (step != "pausing") return;
                reached.SetResult();
                await proceed.Task;
            },
        };
        var running = first.RebuildAsync(All, null, Ct);
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var refused = await Assert.ThrowsAsync<RebuildRunningException>(() => new ProjectionMaintenance(Store, Db).RebuildAsync(new InventoryProjection(), null, Ct));
        Assert.Equal("inventory", refused.Projection);
        proceed.SetResult();
        await running;

        await new ProjectionMaintenance(Store, Db).RebuildAsync(new InventoryProjection(), null, Ct);
        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task a_rebuild_in_small_batches_whose_orders_span_many_batches_equals_a_replay()
    {
        await RunBusinessDayAsync();
        await new SharedCatchUp(Store, Db, All).CatchUpAsync(long.MaxValue, null, Ct);
        var maintenance = new ProjectionMaintenance(Store, Db) { RebuildBatch = 3 };

        var times = await maintenance.RebuildAsync(All, null, Ct);

        Assert.True(times.Events > 20, $"{times.Events} events");  // every order's rows written by several batches
        await AssertRowsMatchTheLogAsync();  // rows read back and merged across batches (summary, fulfilment), counters, timeline entries once
    }

    /// <summary>
    /// A rebuild fills insert-only tables (the timeline) without their key and puts it back before the swap: a projector
    /// that writes a key twice (here: every entry twice) fails the rebuild there, and the live rows stay as they were.
    /// </summary>
    [Fact]
    public async Task a_rebuild_whose_insert_only_table_gets_a_key_twice_fails_before_the_swap()
    {
        await RunBusinessDayAsync();
        var timeline = new OrderTimelineProjection();
        await new SharedCatchUp(Store, Db, [timeline]).CatchUpAsync(long.MaxValue, null, Ct);
        async Task<List<string>> RowsAsync()
        {
            await using var conn = await Db.OpenAsync(Ct);
            return [.. await conn.QueryAsync<string>("select order_id || '@' || revision || ' ' || summary from order_timeline order by order_id, revision")];
        }
        var before = await RowsAsync();
        Assert.NotEmpty(before);

        var failure = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(
            () => new ProjectionMaintenance(Store, Db).RebuildAsync(new TwiceProjection(timeline), null, Ct));

        // A duplicate primary key: PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_PRIMARYKEY (1555).
        Assert.True(failure is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } or Microsoft.Data.Sqlite.SqliteException { SqliteExtendedErrorCode: 1555 },
            failure.Message);
        Assert.Equal(before, await RowsAsync());
        Assert.Empty(await new ProjectionMaintenance(Store, Db).VerifyAsync(timeline, Ct));

        // The failed rebuild left nothing in the way of the next one.
        await new ProjectionMaintenance(Store, Db).RebuildAsync(timeline, null, Ct);
        Assert.Equal(before, await RowsAsync());
    }

    /// <summary>The timeline, except that it applies every event twice (a projector bug a rebuild must not swap in).</summary>
    sealed class TwiceProjection(IProjection inner) : IProjection
    {
        public string Name => inner.Name;
        public string Folder => inner.Folder;
        public EventFilter Filter => inner.Filter;
        public IReadOnlyList<(string Table, string Key)> Tables => inner.Tables;
        public IReadOnlyCollection<string> InsertOnlyTables => inner.InsertOnlyTables;

        public async Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct)
        {
            await inner.ApplyAsync(batch, recorded, @event, ct);
            await inner.ApplyAsync(batch, recorded, @event, ct);
        }
    }

    /// <summary>
    /// The business day, then a host running every projection (as the API does), which has applied one more order,
    /// <c>ord-before</c>. Disposing it stops the host, as <see cref="RunningHost.StopAsync"/> does.
    /// </summary>
    protected async Task<RunningHost> RunHostAfterABusinessDayAsync()
    {
        await RunBusinessDayAsync();
        var host = new ProjectionHost(Store, Db, All) { LeaseRetry = TimeSpan.FromMilliseconds(100) };
        var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = new RunningHost(host, stop, host.RunAsync(stop.Token));
        try
        {
            await PlaceAndWaitForAllAsync("ord-before");
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }
        return running;
    }

    /// <summary>A running <see cref="ProjectionHost"/> and how to stop it.</summary>
    protected sealed class RunningHost(ProjectionHost host, CancellationTokenSource stop, Task run) : IAsyncDisposable
    {
        public ProjectionHost Host => host;

        public Task<RebuildTimes> RebuildAsync(IProjection projection, IProgress<RebuildProgress>? progress, CancellationToken ct) =>
            host.RebuildAsync(projection, progress, ct);

        public Task<RebuildTimes> RebuildAsync(IReadOnlyList<IProjection> projections, IProgress<RebuildProgress>? progress, CancellationToken ct) =>
            host.RebuildAsync(projections, progress, ct);

        public Task<IReadOnlyList<RowDifference>> VerifyAsync(IProjection projection, CancellationToken ct) => host.VerifyAsync(projection, ct);

        /// <summary>Stops the host and waits until it has (a host that failed throws here).</summary>
        public async Task StopAsync()
        {
            if (stop.IsCancellationRequested) return;
            await stop.CancelAsync();
            await run;
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await StopAsync();
            }
            catch (OperationCanceledException)
            {
            }
            stop.Dispose();
        }
    }

    /// <summary>Places a backordered order and waits until every projection has applied it (a host is running).</summary>
    protected async Task PlaceAndWaitForAllAsync(string orderId)
    {
        var placed = await Node.Send(Place(BackorderPolicies.Backorder, ("SKU-2", 1)) with { OrderId = orderId });
        var ryw = new ReadYourWrites(Store, Db);
        foreach (var p in All) Assert.True(await ryw.WaitForAsync(p, placed.Position, TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task two_hosts_project_one_at_a_time_and_the_standby_takes_over_when_the_holder_stops()
    {
        await RunBusinessDayAsync();
        var first = new ProjectionHost(Store, Db, All) { LeaseRetry = TimeSpan.FromMilliseconds(100) };
        var second = new ProjectionHost(Store, OpenReadModels(), All) { LeaseRetry = TimeSpan.FromMilliseconds(100) };
        using var stopFirst = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var stopSecond = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var runFirst = first.RunAsync(stopFirst.Token);
        await Until(() => first.Activities.Count == All.Length && first.Activities.Values.All(a => a == ProjectionActivity.Running));
        var runSecond = second.RunAsync(stopSecond.Token);
        await Until(() => second.Activities.Count == All.Length);
        await Task.Delay(300, Ct);
        Assert.All(second.Activities.Values, a => Assert.Equal(ProjectionActivity.Standby, a));

        await stopFirst.CancelAsync();
        await runFirst;
        await Until(() => second.Activities.Values.All(a => a == ProjectionActivity.Running));
        var placed = await Node.Send(Place(BackorderPolicies.Backorder, ("SKU-2", 1)) with { OrderId = "ord-after-takeover" });
        var ryw = new ReadYourWrites(Store, Db);
        foreach (var projection in All) Assert.True(await ryw.WaitForAsync(projection, placed.Position, TimeSpan.FromSeconds(10), Ct));

        foreach (var projection in All) Assert.Empty(await second.VerifyAsync(projection, Ct));
        await stopSecond.CancelAsync();
        await runSecond;
        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task a_reader_waits_for_its_own_write_and_is_told_when_the_read_model_is_stale()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-W", "wh-1", 5));
        var summary = new OrderSummaryProjection();
        var ryw = new ReadYourWrites(Store, Db);
        var placed = await Node.Send(Place(BackorderPolicies.Reject, ("SKU-W", 1)) with { RequestId = "ryw-1" });

        Assert.False(await ryw.WaitForAsync(summary, placed.Position, TimeSpan.FromMilliseconds(200), Ct));

        var host = new ProjectionHost(Store, Db, [summary]);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = host.RunAsync(stop.Token);
        Assert.True(await ryw.WaitForAsync(summary, placed.Position, ReadYourWrites.DefaultWait, Ct));
        Assert.Equal("reserved", (await new OrderSummaryQueries(Db).GetAsync(placed.Id, Ct))!.Status);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task a_worker_process_killed_while_orders_arrive_resumes_without_losing_or_doubling_rows()
    {
        await RunBusinessDayAsync();
        using var placing = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var orders = Task.Run(async () =>
        {
            for (var i = 0; !placing.IsCancellationRequested; i++)
                await Node.Send(Place(BackorderPolicies.Backorder, ("SKU-2", 1)) with { OrderId = $"ord-live-{i}" });
        }, CancellationToken.None);

        try
        {
            for (var kill = 0; kill < 3; kill++)
            {
                using var worker = StartWorker();
                try
                {
                    await Until(async () => (await CheckpointAsync("order_summary"))?.Position > 0 && await ProjectedOrdersAsync() > 3 * (kill + 1));
                }
                finally
                {
                    worker.Kill(entireProcessTree: true);
                    await worker.WaitForExitAsync(CancellationToken.None);
                }
            }
        }
        finally
        {
            await placing.CancelAsync();
            await orders;
        }
        using (var worker = StartWorker())
        {
            try
            {
                var head = (await Ledger.ReadAsync(Store)).Events.Max(e => e.Position);
                var ryw = new ReadYourWrites(Store, Db);
                foreach (var projection in All) Assert.True(await ryw.WaitForAsync(projection, head, TimeSpan.FromSeconds(90), Ct), projection.Name);
            }
            finally
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync(CancellationToken.None);
            }
        }

        await AssertRowsMatchTheLogAsync();
    }

    async Task<long> ProjectedOrdersAsync()
    {
        await using var conn = await Db.OpenAsync(Ct);
        return await conn.ExecuteScalarAsync<long>("select count(*) from order_summary");
    }

    [Fact]
    public async Task the_worker_verifies_and_rebuilds_read_models_from_the_command_line()
    {
        await RunBusinessDayAsync();
        await CatchUpAsync();
        await using (var conn = await Db.OpenAsync(Ct))
            await conn.ExecuteAsync("update order_summary set status = 'corrupted' where order_id = 'ord-held'");

        var damaged = await RunWorkerAsync("--verify", "order_summary,inventory");
        Assert.Equal(1, damaged.ExitCode);
        Assert.Contains("verify order_summary: 1 rows differ", damaged.Output);
        Assert.Contains("verify inventory: 0 rows differ", damaged.Output);
        Assert.Equal(2, (await RunWorkerAsync("--rebuild", "order_summary,nonsense")).ExitCode);  // an unknown name: nothing done

        var rebuilt = await RunWorkerAsync("--rebuild", "all");
        Assert.Equal(0, rebuilt.ExitCode);
        Assert.Contains("rebuilt order_summary, order_lines, order_timeline, inventory, fulfilment_queue", rebuilt.Output);
        Assert.Equal(0, (await RunWorkerAsync("--verify", "all")).ExitCode);
        await AssertRowsMatchTheLogAsync();
    }

    /// <summary>The worker run once with maintenance arguments: its exit code and everything it printed.</summary>
    async Task<(int ExitCode, string Output)> RunWorkerAsync(params string[] arguments)
    {
        using var worker = StartWorker(arguments, out var output);
        await worker.WaitForExitAsync(Ct);
        worker.WaitForExit();  // and its output read to the end
        lock (output) return (worker.ExitCode, output.ToString());
    }

    System.Diagnostics.Process StartWorker() => StartWorker([], out _);

    System.Diagnostics.Process StartWorker(string[] arguments, out System.Text.StringBuilder output)
    {
        var bin = Path.GetDirectoryName(typeof(ProjectionScenarios).Assembly.Location)!;     // …/tests/<project>/bin/<config>/net10.0
        var configuration = Path.GetFileName(Path.GetDirectoryName(bin))!;
        var root = bin[..bin.IndexOf($"{Path.DirectorySeparatorChar}tests{Path.DirectorySeparatorChar}", StringComparison.Ordinal)];
        var dll = Path.Combine(root, "src", "EventSourcedOms.ProjectionWorker", "bin", configuration, "net10.0", "EventSourcedOms.ProjectionWorker.dll");
        Assert.True(File.Exists(dll), $"build the worker first: {dll}");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet", ["exec", dll, .. WorkerArguments(), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = System.Diagnostics.Process.Start(psi)!;
        var lines = output = new System.Text.StringBuilder();
        void Keep(string? line)
        {
            if (line is not null) lock (lines) lines.AppendLine(line);
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    async Task Until(Func<Task<bool>> condition)
    {
        // Generous: a worker process starts a runtime and catches up while the machine may be busy with other suites.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 90 s");
            await Task.Delay(20, Ct);
        }
    }

    async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 15 s");
            await Task.Delay(20, Ct);
        }
    }

    [Fact]
    public async Task orders_filter_by_location_sku_and_breached_ship_by_and_inventory_pages_by_sku()
    {
        await RunBusinessDayAsync();
        await CatchUpAsync();
        Time.Advance(TimeSpan.FromDays(3));
        var late = await Node.Send(Place(BackorderPolicies.Backorder, ("SKU-2", 1)) with { OrderId = "ord-late", PromisedShipBy = Time.GetUtcNow().AddHours(-1) });
        await CatchUpAsync();
        var orders = new OrderSummaryQueries(Db, Time);
        async Task<string[]> Ids(OrderFilter filter) => [.. (await orders.ListAsync(filter, null, 50, Ct)).Orders.Select(o => o.OrderId)];

        Assert.Equal(["ord-waiting", "ord-split"], await Ids(new OrderFilter(Location: "wh-b")));
        Assert.Equal(["ord-late", "ord-held", "ord-split"], await Ids(new OrderFilter(Sku: "SKU-2")));
        Assert.Equal([late.Id], await Ids(new OrderFilter(ShipByBreached: true)));
        Assert.Equal(["ord-held"], await Ids(new OrderFilter(OnHold: true)));

        var inventory = new InventoryQueries(Db);
        var first = await inventory.ListAsync(null, false, null, 2, Ct);
        var second = await inventory.ListAsync(null, false, first.NextCursor, 2, Ct);
        Assert.Equal([("SKU-1", "wh-a"), ("SKU-1", "wh-b"), ("SKU-2", "wh-a")], first.Items.Concat(second.Items).Select(i => (i.Sku, i.Location)));
        Assert.Null(second.NextCursor);
        Assert.Equal([("SKU-1", "wh-a")], (await inventory.ListAsync(null, true, null, 10, Ct)).Items.Select(i => (i.Sku, i.Location)));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.ListAsync(null, false, "%%%", 2, Ct));
        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task orders_of_a_sku_page_newest_first_combine_with_other_filters_and_are_indexed_again_after_an_upgrade()
    {
        await RunBusinessDayAsync();
        for (var i = 0; i < 5; i++)
        {
            await Node.Send(Place(BackorderPolicies.Backorder, ("SKU-3", 1), ("SKU-1", 1), ("SKU-3", 2)) with { OrderId = $"ord-s{i}" });
            if (i != 2) Time.Advance(TimeSpan.FromMinutes(1));  // ord-s2 and ord-s3 are placed at the same time: ordered by id
        }
        await Node.Send(new HoldOrder("ord-s1", HoldReasons.Fraud, null));
        await CatchUpAsync();
        var orders = new OrderSummaryQueries(Db, Time);
        async Task<List<string>> Pages(OrderFilter filter)
        {
            var ids = new List<string>();
            string? cursor = null;
            do
            {
                var page = await orders.ListAsync(filter, cursor, 2, Ct);
                ids.AddRange(page.Orders.Select(o => o.OrderId));
                cursor = page.NextCursor;
            } while (cursor is not null);
            return ids;
        }
        async Task AssertListsAsync()
        {
            Assert.Equal(["ord-s4", "ord-s3", "ord-s2", "ord-s1", "ord-s0"], await Pages(new OrderFilter(Sku: "SKU-3")));
            Assert.Equal(["ord-s4", "ord-s3", "ord-s2", "ord-s1", "ord-s0", "ord-waiting", "ord-split"], await Pages(new OrderFilter(Sku: "SKU-1")));
            Assert.Equal(["ord-s1"], await Pages(new OrderFilter(Sku: "SKU-3", OnHold: true)));
            var s3 = (await orders.GetAsync("ord-s3", Ct))!.PlacedAt;
            Assert.Equal(["ord-s3", "ord-s2", "ord-s1"], await Pages(new OrderFilter(Sku: "SKU-3", PlacedFrom: s3.AddMinutes(-1), PlacedTo: s3.AddTicks(10))));
            var skuOne = await Pages(new OrderFilter(Sku: "SKU-1"));
            Assert.Equal((await Pages(new OrderFilter(Location: "wh-b"))).Where(skuOne.Contains), await Pages(new OrderFilter(Sku: "SKU-1", Location: "wh-b")));
            Assert.Empty(await Pages(new OrderFilter(Sku: "SKU-9")));
        }
        await AssertListsAsync();

        // The version before the SKU index: its table does not exist yet; migrating projects the order summary again.
        await using (var conn = await Db.OpenAsync(Ct))
            await conn.ExecuteAsync("drop table order_skus");
        await Db.MigrateAsync(All, Ct);
        Assert.Null(await CheckpointAsync("order_summary"));
        await CatchUpAsync();
        await AssertListsAsync();
        await AssertRowsMatchTheLogAsync();
    }

    [Fact]
    public async Task a_cold_stock_fold_starts_from_a_snapshot_not_past_the_event_and_otherwise_from_the_first_event()
    {
        await Node.Send(Warehouse("wh-a", 1));
        for (var i = 0; i < 4; i++) await Node.Send(Receive("SKU-1", "wh-a", 1));  // revisions 0–3, on hand 4
        var events = await Store.ReadStreamAsync(Streams.Stock("SKU-1", "wh-a"), 0, Direction.Forwards, 10, Ct);
        var snapshots = Assert.IsAssignableFrom<ISnapshotStore>(Store);
        // What only a snapshot can say: 100 on hand at revision 2 (the events say 3), planted to see it being used.
        Assert.True(await snapshots.SaveSnapshotAsync(new StreamSnapshot(events[2].Stream, 2, events[2].Position, StateSnapshots.TypeOf<Domain.Inventory.StockState>()!,
            StateSnapshots.Serialize(Domain.Inventory.StockState.Initial with { Sku = "SKU-1", Location = "wh-a", OnHand = 100 })), Ct));

        async Task<int> ColdFold(RecordedEvent recorded) =>
            (await new StreamStates(Store).StockAsync(recorded, EventTypes.Deserialize(recorded.Type, recorded.Data.Span)!, Ct)).OnHand;

        Assert.Equal(101, await ColdFold(events[3]));  // from the snapshot at 2: event 3 on top
        Assert.Equal(100, await ColdFold(events[2]));  // the snapshot is of this very event
        Assert.Equal(2, await ColdFold(events[1]));    // the snapshot is past the event: folded from the first event
    }

    [Fact]
    public async Task a_stock_stream_stays_folded_while_more_orders_than_the_cache_holds_pass_by()
    {
        await Node.Send(Warehouse("wh-a", 1));
        await Node.Send(Receive("SKU-1", "wh-a", 5));
        await Node.Send(Receive("SKU-1", "wh-a", 1));  // revisions 0–1, on hand 6
        for (var i = 0; i < 3; i++) await Node.Send(Place(BackorderPolicies.Backorder, ("SKU-9", 1)) with { OrderId = $"ord-churn-{i}" });  // no SKU-1 stock touched
        var all = (await Ledger.ReadAsync(Store)).Events;
        var stock = all.Where(e => e.Stream == Streams.Stock("SKU-1", "wh-a")).ToList();
        var orders = all.Where(e => e.Stream.StartsWith(Streams.OrderPrefix, StringComparison.Ordinal) && e.Revision == 0).ToList();
        Assert.Equal(3, orders.Count);
        // Planted: a snapshot at revision 0 that says 100 on hand. Folding revision 1 from the store would start there (101).
        Assert.True(await Assert.IsAssignableFrom<ISnapshotStore>(Store).SaveSnapshotAsync(new StreamSnapshot(stock[0].Stream, 0, stock[0].Position,
            StateSnapshots.TypeOf<Domain.Inventory.StockState>()!, StateSnapshots.Serialize(Domain.Inventory.StockState.Initial with { Sku = "SKU-1", Location = "wh-a", OnHand = 100 })), Ct));

        var states = new StreamStates(Store, capacity: 2);
        static object Decode(RecordedEvent e) => EventTypes.Deserialize(e.Type, e.Data.Span)!;
        Assert.Equal(5, (await states.StockAsync(stock[0], Decode(stock[0]), Ct)).OnHand);
        foreach (var order in orders) await states.OrderAsync(order, Decode(order), Ct);  // three orders through a cache of two
        Assert.Equal(6, (await states.StockAsync(stock[1], Decode(stock[1]), Ct)).OnHand);  // still folded here, not read again
    }

    /// <summary>Applies events until the n-th, then pulls the plug on the host as a kill would: mid-batch, mid-transaction.</summary>
    sealed class StopsHost(IProjection inner, CancellationTokenSource host, int afterEvents) : IProjection
    {
        int _seen;
        public string Name => inner.Name;
        public string Folder => inner.Folder;
        public EventFilter Filter => inner.Filter;
        public IReadOnlyList<(string Table, string Key)> Tables => inner.Tables;

        public async Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct)
        {
            await inner.ApplyAsync(batch, recorded, @event, ct);
            if (++_seen == afterEvents)
            {
                await host.CancelAsync();
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>A projector with a bug that throws on one event (until it is fixed).</summary>
    sealed class FailingOn(IProjection inner, long position) : IProjection
    {
        public string Name => inner.Name;
        public string Folder => inner.Folder;
        public EventFilter Filter => inner.Filter;
        public IReadOnlyList<(string Table, string Key)> Tables => inner.Tables;
        public bool Fixed { get; set; }

        public Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct) =>
            recorded.Position == position && !Fixed ? throw new InvalidOperationException("projector bug") : inner.ApplyAsync(batch, recorded, @event, ct);
    }

    /// <summary>The store, counting the subscriptions to <c>$all</c> made through it.</summary>
    /// <summary>A store that counts subscriptions and reads of stock streams (and keeps its snapshots to itself).</summary>
    sealed class CountingStore(IEventStore inner) : IEventStore
    {
        int _subscriptions;
        int _stockStreamReads;
        public int Subscriptions => Volatile.Read(ref _subscriptions);
        public int StockStreamReads => Volatile.Read(ref _stockStreamReads);

        public Task<AppendResult> AppendAsync(string stream, ExpectedRevision expectedRevision, IReadOnlyList<EventData> events, CancellationToken ct = default) =>
            inner.AppendAsync(stream, expectedRevision, events, ct);
        public Task<MultiStreamAppendResult> AppendMultipleAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct = default) => inner.AppendMultipleAsync(appends, ct);
        public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromRevision, Direction direction, int maxCount, CancellationToken ct = default)
        {
            if (stream.StartsWith(Streams.StockPrefix, StringComparison.Ordinal)) Interlocked.Increment(ref _stockStreamReads);
            return inner.ReadStreamAsync(stream, fromRevision, direction, maxCount, ct);
        }
        public Task<AllSlice> ReadAllAsync(long fromPosition, int maxCount, EventFilter? filter = null, CancellationToken ct = default) =>
            inner.ReadAllAsync(fromPosition, maxCount, filter, ct);

        public IAsyncEnumerable<RecordedEvent> SubscribeToAll(FromAll from, EventFilter? filter = null, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _subscriptions);
            return inner.SubscribeToAll(from, filter, ct);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;  // the inner store belongs to the test
    }
}
