using EventSourcedOms.Domain.Orders;
using Mediator;

namespace EventSourcedOms.Application.Orders.ReleaseOrder;

/// <summary>Lifts an order's hold; fulfilment continues where it stopped.</summary>
public sealed record ReleaseOrder(string OrderId) : OmsCommand, IValidatable
{
    public void Validate(Validator v) => v.Id(OrderId, "orderId");
}

public sealed class ReleaseOrderHandler(Sessions.SessionFactory sessions) : ICommandHandler<ReleaseOrder, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ReleaseOrder command, CancellationToken ct) =>
        await OrderCommands.DecideAsync(sessions, command, command.OrderId, Order.Release, null, ct);
}
