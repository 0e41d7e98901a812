using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Application.Inventory;

/// <summary>
/// Whenever a command frees stock of a SKU at shipping locations (a receipt, a positive adjustment, a lower safety
/// stock, a cancellation), the oldest backorders of that SKU take it in the same commit: the stock reservation, the
/// queue entry and the order's allocation are written together or not at all, so a crash can neither lose nor
/// double an allocation. One commit serves at most <see cref="MaxOrdersPerCommit"/> orders (a commit stays bounded);
/// <see cref="DrainAsync"/> then continues in follow-up commits of its own until stock or demand runs out. Should the
/// process stop between those commits, the remaining backorders are served by the SKU's next stock movement or by
/// the <c>AllocateBackorders</c> command; nothing is lost or doubled either way, since each commit is atomic.
/// </summary>
public static class BackorderFiller
{
    public const int MaxOrdersPerCommit = 50;

    /// <summary>Streams to lock before loading anything, besides the stock streams the caller changes.</summary>
    public static string QueueStream(string sku) => Streams.Backorders(sku);

    /// <summary>Fills from the given stock items (already locked and changed by the caller) in the caller's commit.
    /// Returns whether it hit the per-commit bound, i.e. whether <see cref="DrainAsync"/> should continue.</summary>
    public static async Task<bool> FillAsync(Session session, string sku, IEnumerable<Loaded<StockState>> freed, CancellationToken ct)
    {
        var queue = await session.Backorders(sku, ct);
        if (queue.State.Entries.IsEmpty) return false;

        var catalog = (await session.Locations(ct)).State;
        var byLocation = freed.Where(s => catalog.ById.TryGetValue(s.State.Location, out var l) && l.Ships)
            .OrderBy(s => catalog.ById[s.State.Location].Priority).ThenBy(s => s.State.Location, StringComparer.Ordinal)
            .ToDictionary(s => s.State.Location);
        if (byLocation.Count == 0) return false;

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
            // The queue says the order waits for these units; if the order disagrees, one of the two was read stale.
            order.Apply(Consistency.Check(queue.Stream, () => Order.AllocateBackorder(order.State, [.. perOrder.Select(f => new Allocation(f.LineNo, sku, f.Location, f.Quantity))], now)));
        }
        return fills.Select(f => f.OrderId).Distinct().Count() >= MaxOrdersPerCommit;
    }

    /// <summary>
    /// After a command's own commit (and after its session released its locks): drains the SKUs whose fill hit the
    /// bound. The command has succeeded at this point, so a failing follow-up must not make its caller retry it: the
    /// remaining backorders wait for the next stock movement or <c>AllocateBackorders</c> instead.
    /// </summary>
    public static async Task<CommandResult> ContinueAsync(SessionFactory sessions, OmsCommand cause, CommandResult result, IEnumerable<string> skus, CancellationToken ct)
    {
        var position = result.Position;
        try
        {
            // Not the caller's token: a caller that goes away must not make a committed command look failed.
            foreach (var sku in skus) position = await DrainAsync(sessions, cause, sku, position, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Left for the next stock movement of the SKU or AllocateBackorders; the command itself has committed.
        }
        return result with { Position = position };
    }

    /// <summary>
    /// Serves the SKU's backorders from every shipping location, one bounded commit at a time, until stock or demand
    /// runs out. Returns the position of the last commit (or <paramref name="after"/> when nothing was left to do).
    /// </summary>
    public static async Task<long> DrainAsync(SessionFactory sessions, OmsCommand cause, string sku, long after, CancellationToken ct)
    {
        // Follow-up commits are the system's own: they carry the cause's correlation id but never its request record.
        var command = new AllocateBackorders.AllocateBackorders(sku) { CorrelationId = cause.CorrelationId, Actor = cause.Actor };
        var position = after;
        for (var conflicts = 0; ;)
        {
            await using var session = sessions.Open();
            var routing = (await session.Locations(ct)).State.ShippingInRoutingOrder;
            await session.LockAsync([.. routing.Select(l => Streams.Stock(sku, l.LocationId)), QueueStream(sku)], ct);
            var stock = new List<Loaded<StockState>>();
            foreach (var location in routing) stock.Add(await session.Stock(sku, location.LocationId, ct));
            var more = await FillAsync(session, sku, stock.Where(s => s.State.AvailableToPromise > 0), ct);
            var queue = await session.Backorders(sku, ct);
            if (queue.Pending.Count == 0) return position;
            try
            {
                position = (await session.CommitAsync(command, queue, sku, session.Now, null, ct)).Position;
            }
            catch (Exception e) when (e is WrongExpectedRevisionException or StaleStateException)
            {
                if (e is StaleStateException stale) sessions.MarkStale(stale.Stream);
                // Another node changed an order or stock item meanwhile: decide again on fresh state, a bounded number of times.
                if (++conflicts == 8) throw;
                continue;
            }
            if (!more) return position;
        }
    }
}
