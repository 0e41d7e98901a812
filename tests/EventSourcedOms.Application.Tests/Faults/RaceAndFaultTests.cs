using EventSourcedOms.Application.Inventory.ReceiveStock;
using EventSourcedOms.Application.Orders.CancelOrder;
using EventSourcedOms.Application.Orders.CancelOrderLine;
using EventSourcedOms.Application.Orders.ConfirmPick;
using EventSourcedOms.Application.Orders.PackOrder;
using EventSourcedOms.Application.Orders.ShipOrder;
using EventSourcedOms.Application.Orders.StartPicking;
using EventSourcedOms.Application.Tests.Support;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;
using EventSourcedOms.EventStore.Sqlite;
using Microsoft.Extensions.Time.Testing;
using static EventSourcedOms.Application.Tests.Support.Commands;

namespace EventSourcedOms.Application.Tests.Faults;

/// <summary>
/// Interleavings and faults around one node's commands (SQLite; the logic under test is above the store): racing
/// duplicates, decisions on state another node changed, unknown commit outcomes, limits.
/// </summary>
public sealed class RaceAndFaultTests : IAsyncLifetime
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "oms-fault-tests", Guid.NewGuid().ToString("N"));
    IEventStore _store = null!;
    FaultyStore _gated = null!;
    OmsNode _node = null!, _other = null!;
    FakeTimeProvider Time { get; } = Clock.At("2026-11-20T09:00:00Z");

    public async ValueTask InitializeAsync()
    {
        _store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = Path.Combine(_folder, "r.db") }, TestContext.Current.CancellationToken);
        _gated = new FaultyStore(_store);
        _node = OmsNode.Create(_gated, Time);
        _other = OmsNode.Create(_store, Time);
    }

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        await _other.DisposeAsync();
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    async Task<string> PackedOrder(string sku, int quantity)
    {
        await _node.Send(Warehouse("wh-1", 1));
        await _node.Send(Receive(sku, "wh-1", quantity));
        var order = await _node.Send(Place(BackorderPolicies.Reject, (sku, quantity)));
        await _node.Send(new StartPicking(order.Id));
        await _node.Send(new ConfirmPick(order.Id, "wh-1", [new LineQuantity(1, quantity)]));
        await _node.Send(new PackOrder(order.Id, "wh-1", [new Package("pkg-1", 500, [new LineQuantity(1, quantity)])]));
        return order.Id;
    }

    [Fact]
    public async Task a_racing_duplicate_of_one_shipment_succeeds()
    {
        var id = await PackedOrder("SKU-S", 2);
        var ship = new ShipOrder(id, "shp-1", "wh-1", "DHL", "parcel", "JD1", [new LineQuantity(1, 2)]);

        _gated.PauseAfterFirstRead(Streams.Order(id));
        var first = Task.Run(() => _node.Send(ship with { RequestId = "webhook-1" }));
        await _gated.Paused.Task;                                   // first copy has read the order (not shipped yet)
        await _node.Send(ship with { RequestId = "webhook-2" });  // second copy ships
        _gated.Release.TrySetResult();

        var error = await Record.ExceptionAsync(() => first);
        Assert.Null(error);
    }

    [Fact]
    public async Task cancelling_a_backordered_line_while_a_receipt_fills_it_succeeds()
    {
        await _node.Send(Warehouse("wh-1", 1));
        var order = await _node.Send(Place(BackorderPolicies.Backorder, ("SKU-B", 3)));
        Assert.Equal("backordered", order.Status);

        _gated.PauseAfterFirstRead(order.Stream);
        var cancel = Task.Run(() => _node.Send(new CancelOrderLine(order.Id, 1, 3, "customer")));
        await _gated.Paused.Task;
        await _node.Send(Receive("SKU-B", "wh-1", 3));              // fills the backorder
        _gated.Release.TrySetResult();

        var error = await Record.ExceptionAsync(() => cancel);
        Assert.Null(error);
    }

    [Fact]
    public async Task cancelling_an_order_placed_on_another_node_is_not_rejected_for_good()
    {
        await _node.Send(Warehouse("wh-1", 1));
        await _node.Send(Receive("SKU-X", "wh-1", 10));             // node caches stock-SKU-X@wh-1
        var order = await _other.Send(Place(BackorderPolicies.Reject, ("SKU-X", 2)));

        var cancel = new CancelOrder(order.Id, "fraud") with { RequestId = "cancel-1" };
        var first = await Record.ExceptionAsync(() => _node.Send(cancel));
        Time.Advance(TimeSpan.FromSeconds(5));
        var retry = await Record.ExceptionAsync(() => _node.Send(cancel));

        Assert.True(first is null && retry is null, $"first: {first?.Message}\nretry after 5 s: {retry?.Message}");
    }

    [Fact]
    public async Task a_receipt_is_not_refused_because_another_node_cancelled_a_queued_order()
    {
        await _node.Send(Warehouse("wh-1", 1));
        var waiting = await _node.Send(Place(BackorderPolicies.Backorder, ("SKU-Q", 3)));  // node caches the queue
        await _other.Send(new CancelOrder(waiting.Id, "customer"));

        var receipt = Receive("SKU-Q", "wh-1", 5) with { RequestId = "grn-1" };
        var first = await Record.ExceptionAsync(() => _node.Send(receipt));
        Time.Advance(TimeSpan.FromSeconds(5));
        var retry = await Record.ExceptionAsync(() => _node.Send(receipt));

        Assert.True(first is null && retry is null, $"first: {first?.Message}\nretry after 5 s: {retry?.Message}");
    }

    [Fact]
    public async Task a_batch_with_an_unknown_outcome_is_never_placed_twice_and_request_ids_settle_it()
    {
        await _node.Send(Warehouse("wh-1", 1));
        await _node.Send(Receive("SKU-U", "wh-1", 100));
        _gated.AppendDelayMs = 100;                                 // keep both drain loops busy so the rest queue up
        _gated.UnknownAfterCommitWhenOrders = 2;
        var commands = Enumerable.Range(0, 10).Select(i => Place(BackorderPolicies.Reject, ("SKU-U", 1)) with { RequestId = $"checkout-{i}" }).ToList();

        var first = await Task.WhenAll(commands.Select(c => Task.Run(async () => await Record.ExceptionAsync(() => _node.Send(c)))));
        _gated.AppendDelayMs = 0;
        var retried = await Task.WhenAll(commands.Select(c => _node.Send(c)));

        Assert.Equal(1, _gated.BatchesHit);
        Assert.Contains(first, e => e is EventStoreUnavailableException { OutcomeUnknown: true });
        Assert.All(first, e => Assert.True(e is null or EventStoreUnavailableException { OutcomeUnknown: true }, e?.ToString()));
        var ledger = await Ledger.ReadAsync(_store);
        ledger.AssertConsistent();
        Assert.Equal(retried.Select(r => r.Stream).Order(), ledger.Orders.Keys.Order());
        Assert.Equal(10, ledger.StockOf("SKU-U", "wh-1").Reserved);
    }

    [Fact]
    public async Task a_request_id_of_a_command_that_changed_nothing_is_not_reused_by_another_command()
    {
        await _node.Send(Warehouse("wh-1", 1));
        await _node.Send(Receive("SKU-R", "wh-1", 1));
        var id = (await _node.Send(Place(BackorderPolicies.Reject, ("SKU-R", 1)))).Id;
        await _node.Send(new StartPicking(id));
        await _node.Send(new StartPicking(id) with { RequestId = "req-1" });   // already picking: writes nothing
        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => _node.Send(new CancelOrder(id, "oops") with { RequestId = "req-1" }));
    }

    [Fact]
    public async Task cancelling_a_nine_line_order_after_another_node_touched_its_skus_succeeds()
    {
        await _node.Send(Warehouse("wh-1", 1));
        var skus = Enumerable.Range(1, 9).Select(i => $"SKU-M{i}").ToArray();
        foreach (var sku in skus) await _node.Send(Receive(sku, "wh-1", 10));
        var mine = await _node.Send(Place(BackorderPolicies.Reject, [.. skus.Select(s => (s, 1))]));
        await _other.Send(Place(BackorderPolicies.Reject, [.. skus.Select(s => (s, 1))]));   // changes all 9 stock streams

        var error = await Record.ExceptionAsync(() => _node.Send(new CancelOrder(mine.Id, "customer")));
        Assert.True(error is null, error?.GetType().Name + ": " + error?.Message);
    }

    [Fact]
    public async Task a_valid_two_hundred_line_order_gets_a_domain_answer()
    {
        var locations = Enumerable.Range(1, 5).Select(i => $"wh-{i}").ToArray();
        for (var i = 0; i < locations.Length; i++) await _other.Send(Warehouse(locations[i], i + 1));
        var skus = Enumerable.Range(1, 200).Select(i => $"SKU-L{i}").ToArray();
        foreach (var sku in skus) foreach (var l in locations) await _other.Send(Receive(sku, l, 1));

        var error = await Assert.ThrowsAsync<DomainException>(() => _other.Send(Place(BackorderPolicies.Reject, [.. skus.Select(s => (s, 5))])));
        Assert.Equal(ErrorCodes.OrderTooFragmented, error.Code);
    }

    [Fact]
    public async Task a_batch_with_an_unknown_outcome_does_not_reject_caller_chosen_ids_as_existing()
    {
        await _node.Send(Warehouse("wh-1", 1));
        await _node.Send(Receive("SKU-V", "wh-1", 100));
        _gated.AppendDelayMs = 100;
        _gated.UnknownAfterCommitWhenOrders = 2;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            try { await _node.Send(Place(BackorderPolicies.Reject, ("SKU-V", 1)) with { OrderId = $"ord-{i}" }); return "ok"; }
            catch (DomainException e) { return e.Code; }
            catch (EventStoreUnavailableException e) when (e.OutcomeUnknown) { return "unknown"; }
        })));

        Assert.All(outcomes, o => Assert.True(o is "ok" or "unknown", o));
        Assert.Equal(10, (await Ledger.ReadAsync(_store)).StockOf("SKU-V", "wh-1").Reserved);
    }

    [Fact]
    public async Task a_snapshot_that_cannot_be_saved_does_not_fail_the_command_that_committed()
    {
        var node = OmsNode.Create(new SnapshotsFail(_store), Time, o => o.SnapshotEvery = 2);
        await using (node)
        {
            await node.Send(Warehouse("wh-1", 1));
            for (var i = 0; i < 5; i++) Assert.Equal(i, (await node.Send(Receive("SKU-N", "wh-1", 1))).Revision);  // passes 2 and 4: saves that fail
            Assert.Equal("reserved", (await node.Send(Place(BackorderPolicies.Reject, ("SKU-N", 5)))).Status);
        }
        Assert.Null(await ((ISnapshotStore)_store).ReadSnapshotAsync(Streams.Stock("SKU-N", "wh-1"), TestContext.Current.CancellationToken));
        (await Ledger.ReadAsync(_store)).AssertConsistent();
    }

    /// <summary>A store whose snapshot writes fail as an unavailable database would.</summary>
    sealed class SnapshotsFail(IEventStore inner) : IEventStore, ISnapshotStore
    {
        public Task<AppendResult> AppendAsync(string stream, ExpectedRevision expectedRevision, IReadOnlyList<EventData> events, CancellationToken ct = default) =>
            inner.AppendAsync(stream, expectedRevision, events, ct);
        public Task<MultiStreamAppendResult> AppendMultipleAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct = default) => inner.AppendMultipleAsync(appends, ct);
        public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromRevision, Direction direction, int maxCount, CancellationToken ct = default) =>
            inner.ReadStreamAsync(stream, fromRevision, direction, maxCount, ct);
        public Task<AllSlice> ReadAllAsync(long fromPosition, int maxCount, EventFilter? filter = null, CancellationToken ct = default) => inner.ReadAllAsync(fromPosition, maxCount, filter, ct);
        public IAsyncEnumerable<RecordedEvent> SubscribeToAll(FromAll from, EventFilter? filter = null, CancellationToken ct = default) => inner.SubscribeToAll(from, filter, ct);
        public Task<StreamSnapshot?> ReadSnapshotAsync(string stream, CancellationToken ct = default) => ((ISnapshotStore)inner).ReadSnapshotAsync(stream, ct);
        public Task<bool> SaveSnapshotAsync(StreamSnapshot snapshot, CancellationToken ct = default) =>
            throw new EventStoreUnavailableException("the database went away", new IOException("connection reset"), outcomeUnknown: false);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task receipts_beyond_the_stock_limit_are_refused_with_a_domain_error()
    {
        await _node.Send(Warehouse("wh-1", 1));
        for (var i = 0; i < 2147; i++) await _node.Send(Receive("SKU-BIG", "wh-1", 1_000_000));

        var error = await Assert.ThrowsAsync<DomainException>(() => _node.Send(Receive("SKU-BIG", "wh-1", 1_000_000)));

        Assert.Equal(ErrorCodes.StockLimitExceeded, error.Code);
    }
}
