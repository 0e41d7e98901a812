using EventSourcedOms.Domain.Orders;
using Mediator;

namespace EventSourcedOms.Application.Orders.CancelOrderLine;

/// <summary>Cancels part of a line that has not shipped; backordered units go first, then reserved stock is released.</summary>
public sealed record CancelOrderLine(string OrderId, int LineNo, int Quantity, string Reason) : OmsCommand, IValidatable
{
    public void Validate(Validator v) => v.Id(OrderId, "orderId")
        .Require(LineNo is > 0 and <= 10_000, "lineNo", "must be between 1 and 10000")
        .Positive(Quantity, "quantity", max: 100_000)
        .Text(Reason, "reason", max: 200);
}

public sealed class CancelOrderLineHandler(Sessions.SessionFactory sessions) : ICommandHandler<CancelOrderLine, CommandResult>
{
    public async ValueTask<CommandResult> Handle(CancelOrderLine command, CancellationToken ct)
        => await Cancellation.RunAsync(sessions, command, command.OrderId, (s, at) => Order.CancelLine(s, command.LineNo, command.Quantity, command.Reason, at), ct);
}
