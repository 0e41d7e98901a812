using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Orders.OrderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Orders;

public sealed class DeliverySpecs : OrderSpec
{
    static readonly object[] PackedAtTwoLocations =
    [
        Placed(Line(1, SkuA, 2), Line(2, SkuB, 1)), Allocated(Alloc(1, SkuA, Wh1, 2), Alloc(2, SkuB, Wh2, 1)), PickingAt(Wh1), PickingAt(Wh2),
        Picked(Wh1, Qty(1, 2)), Picked(Wh2, Qty(2, 1)), Packed(Wh1, Qty(1, 2)), Packed(Wh2, Qty(2, 1)),
    ];

    static readonly object[] ShippedInTwo = [.. PackedAtTwoLocations, Shipped("s-1", Wh1, Qty(1, 2)), Shipped("s-2", Wh2, Qty(2, 1))];

    [Fact]
    public void confirming_delivery_of_a_shipment_records_it()
    {
        Given(ShippedInTwo);
        When(s => Order.ConfirmDelivery(s, "s-1", At(3000)));
        Then(new ShipmentDelivered(OrderId, "s-1", At(3000)));
    }

    [Fact]
    public void confirming_delivery_of_an_unknown_shipment_is_rejected()
    {
        Given(ShippedInTwo);
        When(s => Order.ConfirmDelivery(s, "s-9", At(3000)));
        ThenRejected(ErrorCodes.ShipmentNotFound);
    }

    [Fact]
    public void confirming_a_delivery_again_writes_nothing()
    {
        Given([.. ShippedInTwo, Delivered("s-1")]);
        When(s => Order.ConfirmDelivery(s, "s-1", At(3100)));
        ThenNothing();
    }

    [Fact]
    public void delivering_one_of_two_shipments_leaves_the_order_shipped()
    {
        Given(ShippedInTwo);
        When(s => Order.ConfirmDelivery(s, "s-1", At(3000)));
        Assert.Equal(OrderStatus.Shipped, ThenState().Status);
    }

    [Fact]
    public void an_order_is_delivered_once_every_shipment_is_delivered()
    {
        Given([.. ShippedInTwo, Delivered("s-1")]);
        When(s => Order.ConfirmDelivery(s, "s-2", At(3000)));
        Assert.Equal(OrderStatus.Delivered, ThenState().Status);
    }

    [Fact]
    public void delivering_the_only_shipment_of_a_partially_shipped_order_leaves_it_partially_shipped()
    {
        Given([.. PackedAtTwoLocations, Shipped("s-1", Wh1, Qty(1, 2))]);
        When(s => Order.ConfirmDelivery(s, "s-1", At(3000)));
        Assert.Equal(OrderStatus.PartiallyShipped, ThenState().Status);
    }

    [Fact]
    public void a_delivered_shipment_counts_as_delivered_on_its_lines()
    {
        Given(ShippedInTwo);
        When(s => Order.ConfirmDelivery(s, "s-1", At(3000)));
        var state = ThenState();
        Assert.Equal((2, 0), (state.Line(1)!.Delivered, state.Line(2)!.Delivered));
    }

    [Fact]
    public void confirming_delivery_before_anything_shipped_is_rejected()
    {
        Given(PackedAtTwoLocations);
        When(s => Order.ConfirmDelivery(s, "s-1", At(3000)));
        ThenRejected(ErrorCodes.NothingShipped);
    }
}
