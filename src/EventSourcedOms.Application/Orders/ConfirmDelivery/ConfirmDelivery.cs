using EventSourcedOms.Domain.Orders;
using Mediator;

namespace EventSourcedOms.Application.Orders.ConfirmDelivery;

/// <summary>The carrier delivered a shipment at <see cref="DeliveredAt"/> (business time; now when omitted). Repeats are harmless.</summary>
public sealed record ConfirmDelivery(string OrderId, string ShipmentId, DateTimeOffset? DeliveredAt = null) : OmsCommand, IValidatable
{
    public void Validate(Validator v) => v.Id(OrderId, "orderId").Id(ShipmentId, "shipmentId").Time(DeliveredAt, "deliveredAt", required: false);
}

public sealed class ConfirmDeliveryHandler(Sessions.SessionFactory sessions) : ICommandHandler<ConfirmDelivery, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ConfirmDelivery command, CancellationToken ct) =>
        await OrderCommands.DecideAsync(sessions, command, command.OrderId, (s, at) => Order.ConfirmDelivery(s, command.ShipmentId, at), command.DeliveredAt, ct);
}
