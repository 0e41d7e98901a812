using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Orders;
using Mediator;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Application.Orders.ShipOrder;

/// <summary>
/// Packed units leave a location as one shipment (partial shipments and several locations per order are fine). The
/// shipment id is the natural key: shipping the same shipment again changes nothing. The stock leaves on-hand and
/// reserved in the same commit.
/// </summary>
public sealed record ShipOrder(string OrderId, string ShipmentId, string Location, string Carrier, string Service, string TrackingNumber,
    IReadOnlyList<LineQuantity> Lines, DateTimeOffset? ShippedAt = null) : OmsCommand, IValidatable
{
    public void Validate(Validator v)
    {
        v.Id(OrderId, "orderId").Id(ShipmentId, "shipmentId").Id(Location, "location")
         .Text(Carrier, "carrier", max: 50).Text(Service, "service", max: 50).Text(TrackingNumber, "trackingNumber", max: 100)
         .Time(ShippedAt, "shippedAt", required: false);
        LineQuantities.Validate(Lines, "lines", v);
    }
}

public sealed class ShipOrderHandler(Sessions.SessionFactory sessions) : ICommandHandler<ShipOrder, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ShipOrder command, CancellationToken ct)
    {
        await using var session = sessions.Open();
        var order = await session.Order(command.OrderId, ct);
        var at = command.ShippedAt ?? session.Now;
        var decided = Order.Ship(order.State, new OrderShipped(command.OrderId, command.ShipmentId, command.Location, command.Carrier,
            command.Service, command.TrackingNumber, command.Lines, at));
        if (decided.Count > 0)
        {
            var lines = command.Lines.GroupBy(l => l.LineNo).Select(g => (Line: order.State.Line(g.Key)!, Quantity: g.Sum(l => l.Quantity))).ToList();
            await session.LockAsync(lines.Select(l => Streams.Stock(l.Line.Sku, command.Location)), ct);
            await session.EnsureUnchangedAsync(order, ct);
            foreach (var (line, quantity) in lines)
            {
                var stock = await session.Stock(line.Sku, command.Location, ct);
                stock.Apply(Consistency.Check(stock.Stream, () => StockItem.Ship(stock.State, command.OrderId, line.LineNo, quantity, command.ShipmentId, at)));
            }
            order.Apply(decided);
        }
        return await session.CommitAsync(command, order, command.OrderId, at, s => s.Status.ToCode(), ct);
    }
}
