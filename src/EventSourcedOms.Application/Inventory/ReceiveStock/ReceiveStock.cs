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
    public async ValueTask<CommandResult> Handle(ReceiveStock command, CancellationToken ct) =>
        await StockCommands.RunAsync(sessions, command, command.Sku, command.Location,
            (stock, at) => StockItem.Receive(stock, command.Sku, command.Location, command.Quantity, command.Reference, at), _ => true, ct);
}
