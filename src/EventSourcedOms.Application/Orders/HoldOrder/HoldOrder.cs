using EventSourcedOms.Domain.Orders;
using Mediator;

namespace EventSourcedOms.Application.Orders.HoldOrder;

/// <summary>Stops fulfilment (picking, packing, shipping) until released. Reasons: payment, fraud, address, customer-request, other.</summary>
public sealed record HoldOrder(string OrderId, string Reason, string? Note = null) : OmsCommand, IValidatable
{
    public void Validate(Validator v) => v.Id(OrderId, "orderId").OneOf(Reason, [.. HoldReasons.All], "reason").Text(Note, "note", max: 500, required: false);
}

public sealed class HoldOrderHandler(Sessions.SessionFactory sessions) : ICommandHandler<HoldOrder, CommandResult>
{
    public async ValueTask<CommandResult> Handle(HoldOrder command, CancellationToken ct) =>
        await OrderCommands.DecideAsync(sessions, command, command.OrderId, (s, at) => Order.Hold(s, command.Reason, command.Note, at), null, ct);
}
