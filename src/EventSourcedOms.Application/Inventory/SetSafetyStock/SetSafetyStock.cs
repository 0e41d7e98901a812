using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using Mediator;

namespace EventSourcedOms.Application.Inventory.SetSafetyStock;

/// <summary>Units of a SKU a location keeps back from routing. It can only cover stock on hand and not reserved.</summary>
public sealed record SetSafetyStock(string Sku, string Location, int Quantity) : OmsCommand, IValidatable
{
    public void Validate(Validator v) => v.Id(Sku, "sku").Id(Location, "location")
        .Require(Quantity is >= 0 and <= 1_000_000, "quantity", "must be between 0 and 1000000");
}

public sealed class SetSafetyStockHandler(Sessions.SessionFactory sessions) : ICommandHandler<SetSafetyStock, CommandResult>
{
    public async ValueTask<CommandResult> Handle(SetSafetyStock command, CancellationToken ct)
    {
        CommandResult result;
        var more = false;
        await using (var session = sessions.Open())
        {
            (await session.Locations(ct)).State.Require(command.Location);
            await session.LockAsync([Streams.Stock(command.Sku, command.Location), BackorderFiller.QueueStream(command.Sku)], ct);
            var stock = await session.Stock(command.Sku, command.Location, ct);
            var lowered = command.Quantity < stock.State.SafetyStock;
            stock.Apply(StockItem.SetSafetyStock(stock.State, command.Sku, command.Location, command.Quantity, session.Now));
            if (lowered) more = await BackorderFiller.FillAsync(session, command.Sku, [stock], ct);
            result = await session.CommitAsync(command, stock, $"{command.Sku}@{command.Location}", session.Now, null, ct);
        }
        return more ? await BackorderFiller.ContinueAsync(sessions, command, result, [command.Sku], ct) : result;
    }
}
