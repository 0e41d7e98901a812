using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;

namespace EventSourcedOms.Application.Inventory;

/// <summary>
/// The path of a command on one stock item: the location must exist; the item and its SKU's backorder queue are locked;
/// the decision is applied; when it frees stock (<paramref name="frees"/>), the oldest backorders take it in the same
/// commit, and follow-up commits continue once this one's locks are released.
/// </summary>
public static class StockCommands
{
    public static async Task<CommandResult> RunAsync(SessionFactory sessions, OmsCommand command, string sku, string location,
        Func<StockState, DateTimeOffset, IReadOnlyList<object>> decide, Func<StockState, bool> frees, CancellationToken ct)
    {
        CommandResult result;
        var more = false;
        await using (var session = sessions.Open())
        {
            (await session.Locations(ct)).State.Require(location);
            await session.LockAsync([Streams.Stock(sku, location), BackorderFiller.QueueStream(sku)], ct);
            var stock = await session.Stock(sku, location, ct);
            var freed = frees(stock.State);
            stock.Apply(decide(stock.State, session.Now));
            if (freed) more = await BackorderFiller.FillAsync(session, sku, [stock], ct);
            result = await session.CommitAsync(command, stock, $"{sku}@{location}", session.Now, null, ct);
        }
        return more ? await BackorderFiller.ContinueAsync(sessions, command, result, [sku], ct) : result;
    }
}
