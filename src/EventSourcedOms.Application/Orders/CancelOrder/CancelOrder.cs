using EventSourcedOms.Domain.Orders;
using Mediator;

namespace EventSourcedOms.Application.Orders.CancelOrder;

/// <summary>Cancels the whole order before anything has shipped, releasing all its stock in the same commit.</summary>
public sealed record CancelOrder(string OrderId, string Reason) : OmsCommand, IValidatable
{
    public void Validate(Validator v) => v.Id(OrderId, "orderId").Text(Reason, "reason", max: 200);
}

public sealed class CancelOrderHandler(Sessions.SessionFactory sessions) : ICommandHandler<CancelOrder, CommandResult>
{
    public async ValueTask<CommandResult> Handle(CancelOrder command, CancellationToken ct)
        => await Cancellation.RunAsync(sessions, command, command.OrderId, (s, at) => Order.Cancel(s, command.Reason, at), ct);
}
