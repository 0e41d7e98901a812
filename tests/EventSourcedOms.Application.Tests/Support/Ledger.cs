using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Application.Tests.Support;

/// <summary>
/// Everything the store holds, folded stream by stream from <c>$all</c>: the independent view the tests check the
/// invariants against (it shares only the domain's fold functions with the code under test).
/// </summary>
public sealed class Ledger
{
    public Dictionary<string, OrderState> Orders { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, StockState> Stock { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, BackorderQueueState> Backorders { get; } = new(StringComparer.Ordinal);

    /// <summary>Units each order line holds at each stock item, tallied from the stock events (the stock state keeps totals only).</summary>
    public Dictionary<(string OrderId, int LineNo, string Sku, string Location), int> Held { get; } = [];
    public List<RecordedEvent> Events { get; } = [];

    public static async Task<Ledger> ReadAsync(IEventStore store)
    {
        var ledger = new Ledger();
        var from = 0L;
        while (true)
        {
            var slice = await store.ReadAllAsync(from, 1000, null, TestContext.Current.CancellationToken);
            foreach (var recorded in slice.Events)
            {
                ledger.Events.Add(recorded);
                var e = EventSerializer.Deserialize(recorded);
                if (e is null) continue;
                if (recorded.Stream.StartsWith(Streams.OrderPrefix, StringComparison.Ordinal))
                    ledger.Orders[recorded.Stream] = ledger.Orders.GetValueOrDefault(recorded.Stream, OrderState.Initial).When(e);
                else if (recorded.Stream.StartsWith(Streams.StockPrefix, StringComparison.Ordinal))
                {
                    ledger.Stock[recorded.Stream] = ledger.Stock.GetValueOrDefault(recorded.Stream, StockState.Initial).When(e);
                    ledger.Hold(e);
                }
                else if (recorded.Stream.StartsWith(Streams.BackorderPrefix, StringComparison.Ordinal))
                    ledger.Backorders[recorded.Stream] = ledger.Backorders.GetValueOrDefault(recorded.Stream, BackorderQueueState.Initial).When(e);
            }
            if (slice.IsEnd) break;
            from = slice.NextPosition;
        }
        return ledger;
    }

    void Hold(object e)
    {
        if (StockEvents.Holding(e) is not ({ } orderId, var lineNo, { } sku, { } location, var delta)) return;
        var held = Held.GetValueOrDefault((orderId, lineNo, sku, location)) + delta;
        if (held == 0) Held.Remove((orderId, lineNo, sku, location));
        else Held[(orderId, lineNo, sku, location)] = held;
    }

    public StockState StockOf(string sku, string location) => Stock.GetValueOrDefault(Streams.Stock(sku, location), StockState.Initial);

    /// <summary>
    /// The invariants a user relies on: no stock item promises more than it has; every unit an order believes reserved
    /// is held by exactly that stock item for exactly that line, and nothing is held for an order that does not know;
    /// every backordered unit is queued and nothing else is.
    /// </summary>
    public void AssertConsistent()
    {
        foreach (var (stream, s) in Stock)
        {
            Assert.True(s.AvailableToPromise >= 0, $"{stream}: on hand {s.OnHand} - reserved {s.Reserved} - safety {s.SafetyStock} < 0");
            Assert.True(s.Reserved >= 0, $"{stream}: reserved {s.Reserved} < 0");
            Assert.Equal(s.Reserved, Held.Where(h => h.Key.Sku == s.Sku && h.Key.Location == s.Location).Sum(h => h.Value));
        }

        var held = Held.Select(h => (h.Key.OrderId, h.Key.LineNo, h.Key.Sku, h.Key.Location, Quantity: h.Value))
            .OrderBy(x => x.OrderId).ThenBy(x => x.LineNo).ThenBy(x => x.Location).ToList();
        var believed = Orders.Values.SelectMany(o => o.Lines.SelectMany(l => l.Allocations.Where(a => a.Reserved > 0)
                .Select(a => (o.OrderId, l.LineNo, l.Sku, a.Location, Quantity: a.Reserved))))
            .OrderBy(x => x.OrderId).ThenBy(x => x.LineNo).ThenBy(x => x.Location).ToList();
        Assert.Equal(believed, held);

        var queued = Backorders.Values.SelectMany(q => q.Entries.Select(e => (e.OrderId, e.LineNo, e.Quantity))).OrderBy(x => x.OrderId).ThenBy(x => x.LineNo).ToList();
        var backordered = Orders.Values.SelectMany(o => o.Lines.Where(l => l.Backordered > 0).Select(l => (o.OrderId, l.LineNo, Quantity: l.Backordered)))
            .OrderBy(x => x.OrderId).ThenBy(x => x.LineNo).ToList();
        Assert.Equal(backordered, queued);

        foreach (var o in Orders.Values)
            foreach (var l in o.Lines)
                Assert.Equal(l.Ordered, l.Cancelled + l.Backordered + l.Allocated);
    }
}
