using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using Mediator;

namespace EventSourcedOms.Application.Inventory.ReceiveStock;

/// <summary>Goods arrived at a location (a purchase order, a transfer, a return). Backorders of the SKU take them first.</summary>
public sealed record ReceiveStock(string Sku, string Location, int Quantity, string Reference) : OmsCommand, IValidatable
{
    public void Validate(Validator v) => v.Id(Sku, "sku").Id(Location, "location").Positive(Quantity, "quantity").Text(Reference, "reference", max: 100);
}

public sealed class ReceiveStockHandler(Sessions.SessionFactory sessions) : ICommandHandler<ReceiveStock, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ReceiveStock command, CancellationToken ct)
    {
        CommandResult result;
        var more = false;
        await using (var session = sessions.Open())
        {
            (await session.Locations(ct)).State.Require(command.Location);
            await session.LockAsync([Streams.Stock(command.Sku, command.Location), BackorderFiller.QueueStream(command.Sku)], ct);
            var stock = await session.Stock(command.Sku, command.Location, ct);
            stock.Apply(StockItem.Receive(stock.State, command.Sku, command.Location, command.Quantity, command.Reference, session.Now));
            more = await BackorderFiller.FillAsync(session, command.Sku, [stock], ct);
            result = await session.CommitAsync(command, stock, $"{command.Sku}@{command.Location}", session.Now, null, ct);
        }
        return more ? await BackorderFiller.ContinueAsync(sessions, command, result, [command.Sku], ct) : result;
    }
}
