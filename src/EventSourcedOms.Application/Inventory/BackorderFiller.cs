using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Application.Inventory;

/// <summary>
/// Whenever a command frees stock of a SKU at shipping locations (a receipt, a positive adjustment, a lower safety
/// stock, a cancellation), the oldest backorders of that SKU take it in the same commit: the stock reservation, the
/// queue entry and the order's allocation are written together or not at all, so a crash can neither lose nor
/// double an allocation. One commit serves at most <see cref="MaxOrdersPerCommit"/> orders; the rest wait for the
/// next stock movement of the SKU (see docs/order-lifecycle.md).
/// </summary>
public static class BackorderFiller
{
    public const int MaxOrdersPerCommit = 50;

    /// <summary>Streams to lock before loading anything, besides the stock streams the caller changes.</summary>
    public static string QueueStream(string sku) => Streams.Backorders(sku);

    public static async Task FillAsync(Session session, string sku, IEnumerable<Loaded<StockState>> freed, CancellationToken ct)
    {
        var queue = await session.Backorders(sku, ct);
        if (queue.State.Entries.IsEmpty) return;

        var catalog = (await session.Locations(ct)).State;
        var byLocation = freed.Where(s => catalog.ById.TryGetValue(s.State.Location, out var l) && l.Ships)
            .OrderBy(s => catalog.ById[s.State.Location].Priority).ThenBy(s => s.State.Location, StringComparer.Ordinal)
            .ToDictionary(s => s.State.Location);
        if (byLocation.Count == 0) return;

        var now = session.Now;
        var fills = BackorderQueue.Fill(queue.State, sku, [.. byLocation.Values.Select(s => (s.State.Location, s.State.AvailableToPromise))],
            MaxOrdersPerCommit, now);
        foreach (var fill in fills)
        {
            byLocation[fill.Location].Apply(StockItem.Reserve(byLocation[fill.Location].State, sku, fill.Location, fill.OrderId, fill.LineNo, fill.Quantity, now));
            queue.Apply([fill]);
        }
        foreach (var perOrder in fills.GroupBy(f => f.OrderId))
        {
            var order = await session.Order(perOrder.Key, ct);
            order.Apply(Order.AllocateBackorder(order.State, [.. perOrder.Select(f => new Allocation(f.LineNo, sku, f.Location, f.Quantity))], now));
        }
    }
}
