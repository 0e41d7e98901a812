using EventSourcedOms.Domain.Orders;
using Mediator;

namespace EventSourcedOms.Application.Orders.StartPicking;

/// <summary>A picker starts on the order at one location, or at every location holding its stock when none is named.</summary>
public sealed record StartPicking(string OrderId, string? Location = null) : OmsCommand, IValidatable
{
    public void Validate(Validator v)
    {
        v.Id(OrderId, "orderId");
        if (Location is not null) v.Id(Location, "location");
    }
}

public sealed class StartPickingHandler(Sessions.SessionFactory sessions) : ICommandHandler<StartPicking, CommandResult>
{
    public async ValueTask<CommandResult> Handle(StartPicking command, CancellationToken ct) =>
        await OrderCommands.DecideAsync(sessions, command, command.OrderId, (s, at) => Order.StartPicking(s, command.Location, at), null, ct);
}
