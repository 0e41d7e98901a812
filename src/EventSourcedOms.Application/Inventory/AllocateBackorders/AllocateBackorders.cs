using Mediator;

namespace EventSourcedOms.Application.Inventory.AllocateBackorders;

/// <summary>
/// Serves a SKU's backorders, oldest order first, from the stock available at its shipping locations. Stock
/// movements do this by themselves; operators run it to finish work a stopped process left (see BackorderFiller).
/// </summary>
public sealed record AllocateBackorders(string Sku) : OmsCommand, IValidatable
{
    public void Validate(Validator v) => v.Id(Sku, "sku");
}

public sealed class AllocateBackordersHandler(Sessions.SessionFactory sessions) : ICommandHandler<AllocateBackorders, CommandResult>
{
    public async ValueTask<CommandResult> Handle(AllocateBackorders command, CancellationToken ct)
    {
        var position = await BackorderFiller.DrainAsync(sessions, command, command.Sku, 0, ct);
        await using var session = sessions.Open();
        var queue = await session.Backorders(command.Sku, ct);
        return new CommandResult(command.Sku, queue.Stream, queue.Revision, Math.Max(position, queue.Position));
    }
}
