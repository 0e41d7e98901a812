using EventSourcedOms.Application.Inventory;
using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Orders;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Application.Orders;

/// <summary>
/// Commits a cancellation with everything it releases: the reserved units go back to their stock streams, the
/// backordered units leave the SKU's queue, and the freed stock fills other orders' backorders, all in one append.
/// </summary>
public static class Cancellation
{
    /// <summary>Runs a cancellation decided by <paramref name="decide"/> on the loaded order, then drains backorders if needed.</summary>
    public static async Task<CommandResult> RunAsync(SessionFactory sessions, OmsCommand command, string orderId,
        Func<OrderState, DateTimeOffset, IReadOnlyList<object>> decide, CancellationToken ct)
    {
        (CommandResult Result, List<string> Drain) outcome;
        await using (var session = sessions.Open())
        {
            var order = await session.Order(orderId, ct);
            outcome = await CommitAsync(session, command, order, decide(order.State, session.Now), ct);
        }
        return outcome.Drain.Count > 0 ? await BackorderFiller.ContinueAsync(sessions, command, outcome.Result, outcome.Drain, ct) : outcome.Result;
    }

    static async Task<(CommandResult, List<string>)> CommitAsync(Session session, OmsCommand command, Loaded<OrderState> order,
        IReadOnlyList<object> decided, CancellationToken ct)
    {
        var cancelled = decided.OfType<OrderQuantitiesCancelled>().Single();
        var lines = cancelled.Lines;
        await session.LockAsync([
            .. lines.SelectMany(l => l.Releases.Select(r => Streams.Stock(l.Sku, r.Location))),
            .. lines.Select(l => BackorderFiller.QueueStream(l.Sku)),
        ], ct);
        await session.EnsureUnchangedAsync(order, ct);
        order.Apply(decided);

        var now = cancelled.CancelledAt;
        var freed = new Dictionary<string, List<Loaded<StockState>>>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            foreach (var release in line.Releases)
            {
                var stock = await session.Stock(line.Sku, release.Location, ct);
                stock.Apply(Consistency.Check(stock.Stream, () => StockItem.Release(stock.State, cancelled.OrderId, line.LineNo, release.Quantity, "order-cancelled", now)));
                (freed.TryGetValue(line.Sku, out var list) ? list : freed[line.Sku] = []).Add(stock);
            }
            if (line.FromBackorder > 0)
            {
                var queue = await session.Backorders(line.Sku, ct);
                queue.Apply(Consistency.Check(queue.Stream, () => BackorderQueue.Withdraw(queue.State, line.Sku, cancelled.OrderId, line.LineNo, line.FromBackorder, now)));
            }
        }
        var drain = new List<string>();
        foreach (var (sku, stocks) in freed)
            if (await BackorderFiller.FillAsync(session, sku, stocks.Distinct(), ct)) drain.Add(sku);
        return (await session.CommitAsync(command, order, cancelled.OrderId, now, s => s.Status.ToCode(), ct), drain);
    }
}
