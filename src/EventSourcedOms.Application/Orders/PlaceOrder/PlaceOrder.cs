using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Orders;
using Mediator;

namespace EventSourcedOms.Application.Orders.PlaceOrder;

/// <summary>
/// A new order from a storefront, POS or back office. <see cref="OrderId"/> may be chosen by the caller; otherwise
/// one is generated. <see cref="BackorderPolicy"/>: <c>reject</c> (default) writes nothing when stock is short,
/// <c>backorder</c> accepts the order and backorders the short quantities.
/// </summary>
public sealed record PlaceOrder(
    string Channel, string? ExternalReference, string CustomerId, Address ShipTo, string Currency, string ServiceLevel,
    DateTimeOffset? PromisedShipBy, IReadOnlyList<PlacedLine> Lines, string BackorderPolicy = BackorderPolicies.Reject,
    string? OrderId = null) : OmsCommand, IOrderInput, IValidatable
{
    public void Validate(Validator v)
    {
        if (OrderId is not null) v.Id(OrderId, "orderId");
        OrderPlacement.Validate(this, v);
    }
}

public sealed class PlaceOrderHandler(PlacementBatcher placement, TimeProvider time) : ICommandHandler<PlaceOrder, CommandResult>
{
    public async ValueTask<CommandResult> Handle(PlaceOrder command, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // A generated id cannot exist yet, so there is nothing to read: the append's "no stream" expectation still guards it.
        var orderId = command.OrderId ?? Guid.CreateVersion7(now).ToString("N");
        var mode = command.OrderId is null ? PlacementBatcher.Mode.New : PlacementBatcher.Mode.RejectExisting;
        return await placement.PlaceAsync(command, OrderPlacement.ToEvent(command, orderId, now, imported: false), mode);
    }
}
