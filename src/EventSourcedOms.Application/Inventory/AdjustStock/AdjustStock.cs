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
    public async ValueTask<CommandResult> Handle(AdjustStock command, CancellationToken ct)
    {
        CommandResult result;
        var more = false;
        await using (var session = sessions.Open())
        {
            (await session.Locations(ct)).State.Require(command.Location);
            await session.LockAsync([Streams.Stock(command.Sku, command.Location), BackorderFiller.QueueStream(command.Sku)], ct);
            var stock = await session.Stock(command.Sku, command.Location, ct);
            stock.Apply(StockItem.Adjust(stock.State, command.Sku, command.Location, command.Delta, command.Reason, command.Note, session.Now));
            if (command.Delta > 0) more = await BackorderFiller.FillAsync(session, command.Sku, [stock], ct);
            result = await session.CommitAsync(command, stock, $"{command.Sku}@{command.Location}", session.Now, null, ct);
        }
        return more ? await BackorderFiller.ContinueAsync(sessions, command, result, [command.Sku], ct) : result;
    }
}
