using System.Collections.Immutable;
using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Domain.Inventory;

/// <summary>Events of one SKU's backorder queue (stream <c>backorders-&lt;sku&gt;</c>).</summary>
public static class BackorderEvents
{
    public sealed record BackorderQueued(string Sku, string OrderId, int LineNo, int Quantity, DateTimeOffset OrderPlacedAt);

    public sealed record BackorderFilled(string Sku, string OrderId, int LineNo, int Quantity, string Location, DateTimeOffset FilledAt);

    /// <summary>The order line no longer wants the quantity (it was cancelled).</summary>
    public sealed record BackorderWithdrawn(string Sku, string OrderId, int LineNo, int Quantity, DateTimeOffset WithdrawnAt);
}

public sealed record BackorderEntry(string OrderId, int LineNo, int Quantity, DateTimeOffset OrderPlacedAt, long Sequence);

/// <summary>Backordered demand for one SKU, served oldest order first (by the order's business time, then arrival).</summary>
public sealed record BackorderQueueState
{
    public static BackorderQueueState Initial { get; } = new();

    public ImmutableList<BackorderEntry> Entries { get; init; } = [];
    long Arrivals { get; init; }

    public int Demand => Entries.Sum(e => e.Quantity);

    public IEnumerable<BackorderEntry> OldestFirst => Entries.OrderBy(e => e.OrderPlacedAt).ThenBy(e => e.Sequence);

    public BackorderEntry? Find(string orderId, int lineNo) => Entries.Find(e => e.OrderId == orderId && e.LineNo == lineNo);

    public BackorderQueueState When(object @event) => @event switch
    {
        BackorderEvents.BackorderQueued e => Find(e.OrderId, e.LineNo) is { } existing
            ? this with { Entries = Entries.Replace(existing, existing with { Quantity = existing.Quantity + e.Quantity }) }
            : this with { Entries = Entries.Add(new(e.OrderId, e.LineNo, e.Quantity, e.OrderPlacedAt, Arrivals)), Arrivals = Arrivals + 1 },
        BackorderEvents.BackorderFilled e => Take(e.OrderId, e.LineNo, e.Quantity),
        BackorderEvents.BackorderWithdrawn e => Take(e.OrderId, e.LineNo, e.Quantity),
        _ => this,
    };

    BackorderQueueState Take(string orderId, int lineNo, int quantity)
    {
        var entry = Find(orderId, lineNo) ?? throw new InvalidOperationException($"No backorder for order {orderId} line {lineNo}.");
        return this with
        {
            Entries = entry.Quantity == quantity ? Entries.Remove(entry) : Entries.Replace(entry, entry with { Quantity = entry.Quantity - quantity }),
        };
    }
}

public static class BackorderQueue
{
    public static IReadOnlyList<object> Enqueue(string sku, string orderId, IEnumerable<LineQuantity> lines, DateTimeOffset orderPlacedAt) =>
        [.. lines.Select(l => new BackorderEvents.BackorderQueued(sku, orderId, l.LineNo, l.Quantity, orderPlacedAt))];

    public static IReadOnlyList<object> Withdraw(BackorderQueueState state, string sku, string orderId, int lineNo, int quantity, DateTimeOffset at)
    {
        var held = state.Find(orderId, lineNo)?.Quantity ?? 0;
        if (quantity > held)
            throw new InvalidOperationException($"Backorder queue of {sku} holds {held} unit(s) for order {orderId} line {lineNo}; {quantity} withdrawn.");
        return [new BackorderEvents.BackorderWithdrawn(sku, orderId, lineNo, quantity, at)];
    }

    /// <summary>
    /// Hands out <paramref name="available"/> units per location to the oldest backorders first; at most
    /// <paramref name="maxOrders"/> orders so that one commit stays bounded (the caller repeats while stock and demand remain).
    /// </summary>
    public static IReadOnlyList<BackorderEvents.BackorderFilled> Fill(BackorderQueueState state, string sku,
        IReadOnlyList<(string Location, int Available)> available, int maxOrders, DateTimeOffset at)
    {
        var fills = new List<BackorderEvents.BackorderFilled>();
        var left = available.Where(a => a.Available > 0).Select(a => (a.Location, a.Available)).ToList();
        var orders = new HashSet<string>();
        foreach (var entry in state.OldestFirst)
        {
            if (left.Count == 0) break;
            if (!orders.Contains(entry.OrderId) && orders.Count == maxOrders) break;
            var wanted = entry.Quantity;
            for (var i = 0; i < left.Count && wanted > 0;)
            {
                var take = Math.Min(wanted, left[i].Available);
                fills.Add(new BackorderEvents.BackorderFilled(sku, entry.OrderId, entry.LineNo, take, left[i].Location, at));
                orders.Add(entry.OrderId);
                wanted -= take;
                if (take == left[i].Available) left.RemoveAt(i);
                else { left[i] = (left[i].Location, left[i].Available - take); i++; }
            }
        }
        return fills;
    }
}
