using EventSourcedOms.Application.Inventory.ReceiveStock;
using EventSourcedOms.Application.Orders.CancelOrder;
using EventSourcedOms.Application.Orders.ConfirmDelivery;
using EventSourcedOms.Application.Orders.ConfirmPick;
using EventSourcedOms.Application.Orders.PackOrder;
using EventSourcedOms.Application.Orders.ShipOrder;
using EventSourcedOms.Application.Orders.StartPicking;
using EventSourcedOms.Application.Tests.Support;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;
using Microsoft.Extensions.Time.Testing;
using static EventSourcedOms.Application.Tests.Support.Commands;

namespace EventSourcedOms.Application.Tests;

/// <summary>
/// Commands end to end through the Mediator pipeline against a real store; each backend runs every scenario.
/// Races use two nodes (separate locks, caches and placement batchers) over one store, so conflicts between them are
/// decided by the store itself, while each node batches its own placements.
/// </summary>
public abstract class OrderScenarios : IAsyncLifetime
{
    readonly string _name = "app_" + Guid.NewGuid().ToString("N")[..10];
    readonly List<OmsNode> _nodes = [];
    IEventStore? _store;

    protected abstract Task<IEventStore> OpenStoreAsync(string name);
    protected abstract Task DropStoreAsync(string name);

    protected FakeTimeProvider Time { get; } = Clock.At("2026-11-20T09:00:00Z");
    protected IEventStore Store => _store!;
    protected OmsNode Node => _nodes[0];
    protected OmsNode OtherNode => _nodes[1];

    public async ValueTask InitializeAsync()
    {
        _store = await OpenStoreAsync(_name);
        _nodes.Add(OmsNode.Create(_store, Time));
        _nodes.Add(OmsNode.Create(_store, Time));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        if (_store is not null) await _store.DisposeAsync();
        await DropStoreAsync(_name);
    }

    OmsNode NodeFor(int i) => _nodes[i % 2];

    static async Task<object> Outcome(Func<Task<CommandResult>> send)
    {
        try { return await send(); }
        catch (DomainException e) { return e; }
    }

    /// <summary>A node that has never seen the store (a restart), snapshotting stock every 10 events.</summary>
    OmsNode ColdNode()
    {
        var node = OmsNode.Create(Store, Time, o => o.SnapshotEvery = 10);
        _nodes.Add(node);
        return node;
    }

    ISnapshotStore Snapshots => Assert.IsAssignableFrom<ISnapshotStore>(Store);

    [Fact]
    public async Task stock_is_snapshotted_as_its_stream_grows_and_racing_cold_nodes_start_from_the_snapshot_without_overselling()
    {
        var writer = ColdNode();
        await writer.Send(Warehouse("wh-1", 1));
        for (var i = 0; i < 25; i++) await writer.Send(Receive("SKU-S", "wh-1", 2));  // revisions 0–24: snapshots at 9 and 19
        var stream = Streams.Stock("SKU-S", "wh-1");
        var snapshot = await Snapshots.ReadSnapshotAsync(stream, TestContext.Current.CancellationToken);
        Assert.Equal((19L, "stock.v1"), (snapshot!.Revision, snapshot.Type));
        Assert.Equal((await Store.ReadStreamAsync(stream, 19, Direction.Forwards, 1, TestContext.Current.CancellationToken))[0].Position, snapshot.Position);

        // Two restarted nodes race 80 one-unit orders for the 50 units: each starts the stream from revision 19.
        var (a, b) = (ColdNode(), ColdNode());
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 80).Select(i =>
            Task.Run(() => Outcome(() => (i % 2 == 0 ? a : b).Send(Place(BackorderPolicies.Reject, ("SKU-S", 1)))))));

        Assert.Equal(50, outcomes.OfType<CommandResult>().Count());
        Assert.All(outcomes.OfType<DomainException>(), e => Assert.Equal(ErrorCodes.InsufficientStock, e.Code));
        var ledger = await Ledger.ReadAsync(Store);
        ledger.AssertConsistent();
        Assert.Equal((50, 50), (ledger.StockOf("SKU-S", "wh-1").OnHand, ledger.StockOf("SKU-S", "wh-1").Reserved));
        // The snapshot followed the stream (75 events, revisions 0–74: kept at the commit that passed the 70th event, or
        // later by a node that loaded the stream cold, 10 or more events after it) and holds exactly the fold up to its revision.
        snapshot = await Snapshots.ReadSnapshotAsync(stream, TestContext.Current.CancellationToken);
        Assert.InRange(snapshot!.Revision, 69L, 74L);
        var events = await Store.ReadStreamAsync(stream, 0, Direction.Forwards, (int)snapshot.Revision + 1, TestContext.Current.CancellationToken);
        var folded = events.Select(Sessions.EventSerializer.Deserialize).Aggregate(Domain.Inventory.StockState.Initial, (s, e) => s.When(e!));
        Assert.Equal(folded, System.Text.Json.JsonSerializer.Deserialize<Domain.Inventory.StockState>(snapshot.Data, Sessions.EventSerializer.Options));
    }

    [Fact]
    public async Task a_cold_node_takes_the_stock_from_a_snapshot_it_reads_and_ignores_one_it_cannot()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-P", "wh-1", 3));
        await Node.Send(Receive("SKU-Q", "wh-1", 3));
        var ct = TestContext.Current.CancellationToken;
        async Task Plant(string sku, string type, string data)
        {
            var last = (await Store.ReadStreamAsync(Streams.Stock(sku, "wh-1"), long.MaxValue, Direction.Backwards, 1, ct))[0];
            Assert.True(await Snapshots.SaveSnapshotAsync(new StreamSnapshot(last.Stream, last.Revision, last.Position, type, data), ct));
        }
        // What only a snapshot can say: 100 on hand where the events say 3 (the test plants it to see it being used).
        await Plant("SKU-P", "stock.v1", """{"sku":"SKU-P","location":"wh-1","onHand":100,"reserved":0,"safetyStock":0}""");
        await Plant("SKU-Q", "stock.v0", """{"onHand":100}""");

        var cold = ColdNode();
        Assert.Equal("reserved", (await cold.Send(Place(BackorderPolicies.Reject, ("SKU-P", 10)))).Status);
        var refused = await Assert.ThrowsAsync<DomainException>(() => cold.Send(Place(BackorderPolicies.Reject, ("SKU-Q", 10))));
        Assert.Equal(ErrorCodes.InsufficientStock, refused.Code);
    }

    [Fact]
    public async Task two_hundred_racing_orders_for_fifty_units_reserve_exactly_fifty()
    {
        await Node.Send(Warehouse("wh-1", 1));
        for (var round = 0; round < 5; round++)
        {
            var sku = $"HOT-{round}";
            await Node.Send(Receive(sku, "wh-1", 50));

            var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
                Task.Run(() => Outcome(() => NodeFor(i).Send(Place(BackorderPolicies.Reject, (sku, 1)))))));

            Assert.Equal(50, outcomes.OfType<CommandResult>().Count());
            Assert.All(outcomes.OfType<DomainException>(), e => Assert.Equal(ErrorCodes.InsufficientStock, e.Code));
            Assert.Equal(150, outcomes.OfType<DomainException>().Count());
            var ledger = await Ledger.ReadAsync(Store);
            ledger.AssertConsistent();
            Assert.Equal((50, 50, 0), (ledger.StockOf(sku, "wh-1").OnHand, ledger.StockOf(sku, "wh-1").Reserved, ledger.StockOf(sku, "wh-1").AvailableToPromise));
            Assert.Equal(50, ledger.Orders.Values.Count(o => o.Lines[0].Sku == sku && o.Status == OrderStatus.Reserved));
            Assert.Equal(50, ledger.Orders.Values.Count(o => o.Lines[0].Sku == sku));
        }
    }

    [Fact]
    public async Task racing_backorder_orders_beyond_stock_are_backordered_and_receipts_fill_them_in_queue_order()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-B", "wh-1", 50));

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            Task.Run(() => NodeFor(i).Send(Place(BackorderPolicies.Backorder, ("SKU-B", 1))))));

        Assert.Equal(50, results.Count(r => r.Status == "reserved"));
        Assert.Equal(150, results.Count(r => r.Status == "backordered"));
        var queueOrder = (await Ledger.ReadAsync(Store)).Events.Where(e => e.Type == "BackorderQueued.v1")
            .Select(e => Streams.Order(System.Text.Json.JsonDocument.Parse(e.Data).RootElement.GetProperty("orderId").GetString()!)).ToList();

        await OtherNode.Send(Receive("SKU-B", "wh-1", 100));

        var ledger = await Ledger.ReadAsync(Store);
        ledger.AssertConsistent();
        Assert.Equal(queueOrder.Take(100), queueOrder.Where(o => ledger.Orders[o].Status == OrderStatus.Reserved).Take(100));
        Assert.All(queueOrder.Skip(100), o => Assert.Equal(OrderStatus.Backordered, ledger.Orders[o].Status));
        Assert.Equal(150, ledger.StockOf("SKU-B", "wh-1").Reserved);
    }

    [Fact]
    public async Task racing_two_line_orders_over_two_skus_and_three_locations_split_without_overselling()
    {
        await Node.Send(Warehouse("wh-a", 1));
        await Node.Send(Warehouse("wh-b", 2));
        await Node.Send(Warehouse("wh-c", 3));
        foreach (var (sku, location, quantity) in new[] { ("X", "wh-a", 10), ("X", "wh-b", 15), ("X", "wh-c", 5), ("Y", "wh-a", 5), ("Y", "wh-b", 10), ("Y", "wh-c", 20) })
            await Node.Send(Receive(sku, location, quantity));
        // No single location holds 25 Y: routing splits in priority order.
        var split = await Node.Send(Place(BackorderPolicies.Reject, ("X", 1), ("Y", 25)));

        for (var round = 0; round < 3; round++)
        {
            var random = new Random(42 + round);
            var orders = Enumerable.Range(0, 40).Select(i => Place(i % 2 == 0 ? BackorderPolicies.Reject : BackorderPolicies.Backorder,
                ("X", random.Next(1, 4)), ("Y", random.Next(1, 4)))).ToList();
            await Task.WhenAll(orders.Select((o, i) => Task.Run(() => Outcome(() => NodeFor(i).Send(o)))));
            await Node.Send(Receive("X", "wh-c", 7));
        }

        var ledger = await Ledger.ReadAsync(Store);
        ledger.AssertConsistent();
        Assert.Equal([("wh-a", 5), ("wh-b", 10), ("wh-c", 10)], ledger.Orders[split.Stream].Lines[1].Allocations.Select(a => (a.Location, a.Allocated)));
        Assert.Equal(51, new[] { "wh-a", "wh-b", "wh-c" }.Sum(l => ledger.StockOf("X", l).OnHand));
    }

    [Fact]
    public async Task ten_racing_copies_of_one_request_place_one_order()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-I", "wh-1", 10));
        var command = Place(BackorderPolicies.Reject, ("SKU-I", 2)) with { RequestId = "checkout-7f3a" };

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => NodeFor(i).Send(command))));

        Assert.Single(results.Select(r => (r.Id, r.Revision, r.Position)).Distinct());
        var ledger = await Ledger.ReadAsync(Store);
        Assert.Single(ledger.Orders);
        Assert.Equal(2, ledger.StockOf("SKU-I", "wh-1").Reserved);
    }

    [Fact]
    public async Task ten_racing_imports_of_one_channel_order_yield_one_order()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-M", "wh-1", 10));
        var placedAt = DateTimeOffset.Parse("2026-11-01T08:30:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => NodeFor(i).Send(Import("AMZ-1001", placedAt, ("SKU-M", 3))))));

        Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.Single(results, r => r.Created);
        var ledger = await Ledger.ReadAsync(Store);
        Assert.Equal(placedAt, Assert.Single(ledger.Orders.Values).PlacedAt);
        Assert.Equal(3, ledger.StockOf("SKU-M", "wh-1").Reserved);
    }

    [Fact]
    public async Task a_rejected_order_writes_nothing_and_lists_each_short_line()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-S", "wh-1", 4));
        var before = (await Ledger.ReadAsync(Store)).Events.Count;

        var error = await Assert.ThrowsAsync<DomainException>(() => Node.Send(Place(BackorderPolicies.Reject, ("SKU-S", 3), ("SKU-S", 3), ("SKU-NONE", 1))));

        Assert.Equal(ErrorCodes.InsufficientStock, error.Code);
        Assert.Equal([new ShortLine(2, "SKU-S", 3, 1), new ShortLine(3, "SKU-NONE", 1, 0)], error.ShortLines);
        Assert.Equal(before, (await Ledger.ReadAsync(Store)).Events.Count);
    }

    [Fact]
    public async Task a_retried_request_returns_the_first_rejection_even_after_stock_arrives()
    {
        await Node.Send(Warehouse("wh-1", 1));
        var command = Place(BackorderPolicies.Reject, ("SKU-R", 5)) with { RequestId = "req-r1" };
        var first = await Assert.ThrowsAsync<DomainException>(() => Node.Send(command));
        await Node.Send(Receive("SKU-R", "wh-1", 10));

        var retry = await Assert.ThrowsAsync<DomainException>(() => OtherNode.Send(command));

        Assert.Equal((first.Code, first.Message), (retry.Code, retry.Message));
        Assert.Empty((await Ledger.ReadAsync(Store)).Orders);
    }

    [Fact]
    public async Task a_retried_request_returns_the_first_result_and_writes_nothing_more()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-R", "wh-1", 10));
        var command = Place(BackorderPolicies.Reject, ("SKU-R", 5)) with { RequestId = "req-r2" };
        var first = await Node.Send(command);
        var eventsAfterFirst = (await Ledger.ReadAsync(Store)).Events.Count;

        var retry = await OtherNode.Send(command);

        Assert.Equal(first, retry);
        Assert.Equal(eventsAfterFirst, (await Ledger.ReadAsync(Store)).Events.Count);
    }

    [Fact]
    public async Task a_request_id_reused_with_another_body_is_refused()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-R", "wh-1", 10));
        await Node.Send(Place(BackorderPolicies.Reject, ("SKU-R", 1)) with { RequestId = "req-r3" });

        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => Node.Send(Place(BackorderPolicies.Reject, ("SKU-R", 2)) with { RequestId = "req-r3" }));
        Assert.Single((await Ledger.ReadAsync(Store)).Orders);
    }

    [Fact]
    public async Task invalid_commands_name_their_fields_and_write_nothing()
    {
        var bad = Place(BackorderPolicies.Reject, ("bad sku", 0)) with { Currency = "euro", Channel = "Web Shop", RequestId = "bad request id" };

        var error = await Assert.ThrowsAsync<CommandValidationException>(() => Node.Send(bad));

        Assert.Equal(["requestId", "channel", "currency", "lines[0].sku", "lines[0].quantity"], error.Errors.Select(e => e.Field));
        Assert.Empty((await Ledger.ReadAsync(Store)).Events);
    }

    [Fact]
    public async Task receiving_into_an_undefined_location_is_rejected()
    {
        var error = await Assert.ThrowsAsync<DomainException>(() => Node.Send(Receive("SKU-1", "nowhere", 5)));

        Assert.Equal(ErrorCodes.UnknownLocation, error.Code);
        Assert.Empty((await Ledger.ReadAsync(Store)).Events);
    }

    [Fact]
    public async Task cancelling_an_order_releases_its_stock_and_fills_an_older_backorder_in_the_same_commit()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-C", "wh-1", 5));
        var holder = await Node.Send(Place(BackorderPolicies.Reject, ("SKU-C", 5)));
        var waiting = await Node.Send(Place(BackorderPolicies.Backorder, ("SKU-C", 3)));
        Assert.Equal("backordered", waiting.Status);

        var cancelled = await Node.Send(new CancelOrder(holder.Id, "customer changed mind"));

        var ledger = await Ledger.ReadAsync(Store);
        ledger.AssertConsistent();
        Assert.Equal(OrderStatus.Cancelled, ledger.Orders[holder.Stream].Status);
        Assert.Equal(OrderStatus.Reserved, ledger.Orders[waiting.Stream].Status);
        Assert.Equal(3, ledger.StockOf("SKU-C", "wh-1").Reserved);
        var commit = ledger.Events.Where(e => e.Position > waiting.Position && e.Position <= cancelled.Position).Select(e => e.Type).ToList();
        Assert.Contains("OrderQuantitiesCancelled.v1", commit);
        Assert.Contains("StockReservationReleased.v1", commit);
        Assert.Contains("BackorderFilled.v1", commit);
        Assert.Contains("OrderStockAllocated.v1", commit);
    }

    [Fact]
    public async Task a_receipt_whose_commit_fails_writes_neither_the_receipt_nor_any_allocation_and_a_retry_applies_both_once()
    {
        await Node.Send(Warehouse("wh-1", 1));
        var waiting = await Node.Send(Place(BackorderPolicies.Backorder, ("SKU-F", 4)));
        var faulty = new FaultyStore(Store) { FailNextAppends = 1 };
        await using var node = OmsNode.Create(faulty, Time);
        var receipt = Receive("SKU-F", "wh-1", 10) with { RequestId = "grn-77" };
        var before = (await Ledger.ReadAsync(Store)).Events.Count;

        await Assert.ThrowsAsync<EventStoreUnavailableException>(() => node.Send(receipt));
        Assert.Equal(before, (await Ledger.ReadAsync(Store)).Events.Count);

        await node.Send(receipt);
        await node.Send(receipt);

        var ledger = await Ledger.ReadAsync(Store);
        ledger.AssertConsistent();
        Assert.Equal((10, 4), (ledger.StockOf("SKU-F", "wh-1").OnHand, ledger.StockOf("SKU-F", "wh-1").Reserved));
        Assert.Equal(OrderStatus.Reserved, ledger.Orders[waiting.Stream].Status);
        Assert.Single(ledger.Events, e => e.Type == "BackorderFilled.v1");
    }

    [Fact]
    public async Task an_order_is_split_across_two_locations_shipped_in_two_shipments_and_delivered()
    {
        await Node.Send(Warehouse("wh-a", 1));
        await Node.Send(Warehouse("wh-b", 2));
        await Node.Send(Receive("SKU-L", "wh-a", 2));
        await Node.Send(Receive("SKU-L", "wh-b", 3));
        var order = await Node.Send(Place(BackorderPolicies.Reject, ("SKU-L", 5)));
        var id = order.Id;

        await Node.Send(new StartPicking(id));
        await Node.Send(new ConfirmPick(id, "wh-a", [new LineQuantity(1, 2)]));
        await Node.Send(new ConfirmPick(id, "wh-b", [new LineQuantity(1, 3)]));
        await Node.Send(new PackOrder(id, "wh-a", [new Package("pkg-1", 800, [new LineQuantity(1, 2)])]));
        await Node.Send(new PackOrder(id, "wh-b", [new Package("pkg-2", 1200, [new LineQuantity(1, 3)])]));
        var first = await Node.Send(new ShipOrder(id, "shp-1", "wh-a", "DHL", "parcel", "JD0001", [new LineQuantity(1, 2)]));
        Assert.Equal("partially-shipped", first.Status);
        await Node.Send(new ShipOrder(id, "shp-2", "wh-b", "UPS", "standard", "1Z0002", [new LineQuantity(1, 3)]));
        await Node.Send(new ConfirmDelivery(id, "shp-1"));
        var done = await Node.Send(new ConfirmDelivery(id, "shp-2"));

        Assert.Equal("delivered", done.Status);
        var ledger = await Ledger.ReadAsync(Store);
        ledger.AssertConsistent();
        Assert.Equal((0, 0), (ledger.StockOf("SKU-L", "wh-a").OnHand, ledger.StockOf("SKU-L", "wh-a").Reserved));
        Assert.Equal((0, 0), (ledger.StockOf("SKU-L", "wh-b").OnHand, ledger.StockOf("SKU-L", "wh-b").Reserved));
    }

    [Fact]
    public async Task events_carry_correlation_causation_actor_and_business_time()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-T", "wh-1", 5));
        var placedAt = DateTimeOffset.Parse("2026-10-31T23:59:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var result = await Node.Send(Import("AMZ-77", placedAt, ("SKU-T", 1)) with { RequestId = "imp-77", CorrelationId = "corr-1", Actor = "amazon-connector" });

        var placed = (await Store.ReadStreamAsync(result.Stream, 0, Direction.Forwards, 10, TestContext.Current.CancellationToken))[0];
        Assert.Equal(("corr-1", "imp-77", "amazon-connector", placedAt),
            (placed.Metadata.CorrelationId, placed.Metadata.CausationId, placed.Metadata.Actor, placed.Metadata.OccurredAt));
    }

    [Fact]
    public async Task orders_committed_together_keep_their_own_metadata_and_results()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-G", "wh-1", 1000));

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            Node.Send(Place(BackorderPolicies.Reject, ("SKU-G", 1)) with { CorrelationId = $"corr-{i}", Actor = $"pos:till-{i}", RequestId = $"sale-{i}" }))));

        var ledger = await Ledger.ReadAsync(Store);
        ledger.AssertConsistent();
        for (var i = 0; i < results.Length; i++)
        {
            var mine = ledger.Events.Where(e => e.Stream == results[i].Stream
                || (e.Type == "StockReserved.v1" && e.Data.Span.IndexOf(System.Text.Encoding.UTF8.GetBytes(results[i].Id)) >= 0)).ToList();
            Assert.Equal(3, mine.Count);
            Assert.All(mine, e => Assert.Equal(($"corr-{i}", $"pos:till-{i}", $"sale-{i}"), (e.Metadata.CorrelationId, e.Metadata.Actor, e.Metadata.CausationId)));
            Assert.Equal(results[i], await Node.Send(Place(BackorderPolicies.Reject, ("SKU-G", 1)) with { CorrelationId = $"corr-{i}", Actor = $"pos:till-{i}", RequestId = $"sale-{i}" }));
        }
        Assert.Equal(40, ledger.StockOf("SKU-G", "wh-1").Reserved);
    }

    [Fact]
    public async Task a_node_sees_stock_received_by_another_node_once_its_cache_trust_has_passed()
    {
        await Node.Send(Warehouse("wh-1", 1));
        await Node.Send(Receive("SKU-N", "wh-1", 1));
        await Node.Send(Place(BackorderPolicies.Reject, ("SKU-N", 1)));
        await OtherNode.Send(Receive("SKU-N", "wh-1", 5));

        Time.Advance(TimeSpan.FromSeconds(2));
        var result = await Node.Send(Place(BackorderPolicies.Reject, ("SKU-N", 5)));

        Assert.Equal("reserved", result.Status);
        (await Ledger.ReadAsync(Store)).AssertConsistent();
    }
}
