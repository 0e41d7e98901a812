using EventSourcedOms.Domain.Orders;
using Mediator;

namespace EventSourcedOms.Application.Orders.ConfirmPick;

/// <summary>Units picked at a location, per line (a scanner may confirm a line in several scans).</summary>
public sealed record ConfirmPick(string OrderId, string Location, IReadOnlyList<LineQuantity> Lines) : OmsCommand, IValidatable
{
    public void Validate(Validator v)
    {
        v.Id(OrderId, "orderId").Id(Location, "location");
        LineQuantities.Validate(Lines, "lines", v);
    }
}

public sealed class ConfirmPickHandler(Sessions.SessionFactory sessions) : ICommandHandler<ConfirmPick, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ConfirmPick command, CancellationToken ct) =>
        await OrderCommands.DecideAsync(sessions, command, command.OrderId, (s, at) => Order.ConfirmPick(s, command.Location, command.Lines, at), null, ct);
}
