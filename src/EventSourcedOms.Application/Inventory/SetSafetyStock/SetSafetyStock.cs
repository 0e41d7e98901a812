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
    public async ValueTask<CommandResult> Handle(SetSafetyStock command, CancellationToken ct) =>
        await StockCommands.RunAsync(sessions, command, command.Sku, command.Location,
            (stock, at) => StockItem.SetSafetyStock(stock, command.Sku, command.Location, command.Quantity, at), stock => command.Quantity < stock.SafetyStock, ct);
}
