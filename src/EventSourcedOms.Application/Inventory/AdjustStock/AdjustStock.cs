using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using Mediator;

namespace EventSourcedOms.Application.Inventory.AdjustStock;

/// <summary>Corrects on-hand stock by a signed delta, with a reason (cycle count, damage, …).</summary>
public sealed record AdjustStock(string Sku, string Location, int Delta, string Reason, string? Note = null) : OmsCommand, IValidatable
{
    public void Validate(Validator v) => v.Id(Sku, "sku").Id(Location, "location")
        .Require(Delta != 0 && Math.Abs((long)Delta) <= 1_000_000, "delta", "must be non-zero and between -1000000 and 1000000")
        .OneOf(Reason, [.. AdjustmentReasons.All], "reason")
        .Text(Note, "note", max: 500, required: false);
}

public sealed class AdjustStockHandler(Sessions.SessionFactory sessions) : ICommandHandler<AdjustStock, CommandResult>
{
    public async ValueTask<CommandResult> Handle(AdjustStock command, CancellationToken ct) =>
        await StockCommands.RunAsync(sessions, command, command.Sku, command.Location,
            (stock, at) => StockItem.Adjust(stock, command.Sku, command.Location, command.Delta, command.Reason, command.Note, at), _ => command.Delta > 0, ct);
}
