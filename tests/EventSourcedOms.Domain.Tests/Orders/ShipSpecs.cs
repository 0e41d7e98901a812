using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Orders.OrderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Orders;

public sealed class ShipSpecs : OrderSpec
{
    static readonly object[] PackedAtWh1 =
    [
        Placed(Line(1, SkuA, 3)), Allocated(Alloc(1, SkuA, Wh1, 3)), PickingAt(Wh1), Picked(Wh1, Qty(1, 3)), Packed(Wh1, Qty(1, 2)),
    ];

    /// <summary>Line 1 split: two units packed at wh-1, one at wh-2.</summary>
    static readonly object[] PackedAtTwoLocations =
    [
        Placed(Line(1, SkuA, 3)), Allocated(Alloc(1, SkuA, Wh1, 2), Alloc(1, SkuA, Wh2, 1)), PickingAt(Wh1), PickingAt(Wh2),
        Picked(Wh1, Qty(1, 2)), Picked(Wh2, Qty(1, 1)), Packed(Wh1, Qty(1, 2)), Packed(Wh2, Qty(1, 1)),
    ];

    [Fact]
    public void shipping_packed_units_records_the_shipment()
    {
        Given(PackedAtWh1);
        When(s => Order.Ship(s, Shipped("s-1", Wh1, Qty(1, 2))));
        Then(new OrderShipped(OrderId, "s-1", Wh1, "dhl", "express", "TRK-s-1", [Qty(1, 2)], At(40)));
    }

    [Fact]
    public void shipping_more_than_was_packed_is_rejected()
    {
        Given(PackedAtWh1);
        When(s => Order.Ship(s, Shipped("s-1", Wh1, Qty(1, 3))));
        ThenRejected(ErrorCodes.QuantityExceedsPacked);
    }

    [Fact]
    public void shipping_from_a_location_that_packed_nothing_for_the_line_is_rejected()
    {
        Given(PackedAtWh1);
        When(s => Order.Ship(s, Shipped("s-1", Wh2, Qty(1, 1))));
        ThenRejected(ErrorCodes.QuantityExceedsPacked);
    }

    [Fact]
    public void shipping_units_already_shipped_is_rejected()
    {
        Given([.. PackedAtWh1, Shipped("s-1", Wh1, Qty(1, 1))]);
        When(s => Order.Ship(s, Shipped("s-2", Wh1, Qty(1, 2))));
        ThenRejected(ErrorCodes.QuantityExceedsPacked);
    }

    [Fact]
    public void shipping_the_same_shipment_again_writes_nothing()
    {
        Given([.. PackedAtWh1, Shipped("s-1", Wh1, Qty(1, 2))]);
        When(s => Order.Ship(s, Shipped("s-1", Wh1, Qty(1, 2)) with { ShippedAt = At(45) }));
        ThenNothing();
    }

    [Fact]
    public void shipping_the_same_shipment_again_after_the_order_shipped_writes_nothing()
    {
        Given([.. PackedAtTwoLocations, Shipped("s-1", Wh1, Qty(1, 2)), Shipped("s-2", Wh2, Qty(1, 1))]);
        When(s => Order.Ship(s, Shipped("s-1", Wh1, Qty(1, 2))));
        ThenNothing();
    }

    [Fact]
    public void reusing_a_shipment_id_with_other_lines_is_rejected()
    {
        Given([.. PackedAtWh1, Shipped("s-1", Wh1, Qty(1, 1))]);
        When(s => Order.Ship(s, Shipped("s-1", Wh1, Qty(1, 2))));
        ThenRejected(ErrorCodes.ShipmentIdConflict);
    }

    [Fact]
    public void reusing_a_shipment_id_with_another_tracking_number_is_rejected()
    {
        Given([.. PackedAtWh1, Shipped("s-1", Wh1, Qty(1, 1))]);
        When(s => Order.Ship(s, Shipped("s-1", Wh1, Qty(1, 1)) with { TrackingNumber = "TRK-other" }));
        ThenRejected(ErrorCodes.ShipmentIdConflict);
    }

    [Fact]
    public void reusing_a_shipment_id_with_another_carrier_service_is_rejected()
    {
        Given([.. PackedAtWh1, Shipped("s-1", Wh1, Qty(1, 1))]);
        When(s => Order.Ship(s, Shipped("s-1", Wh1, Qty(1, 1)) with { Service = "economy" }));
        ThenRejected(ErrorCodes.ShipmentIdConflict);
    }

    [Fact]
    public void shipping_from_the_first_of_two_locations_leaves_the_order_partially_shipped()
    {
        Given(PackedAtTwoLocations);
        When(s => Order.Ship(s, Shipped("s-1", Wh1, Qty(1, 2))));
        Assert.Equal(OrderStatus.PartiallyShipped, ThenState().Status);
    }

    [Fact]
    public void the_second_location_ships_its_part_after_the_first()
    {
        Given([.. PackedAtTwoLocations, Shipped("s-1", Wh1, Qty(1, 2))]);
        When(s => Order.Ship(s, Shipped("s-2", Wh2, Qty(1, 1))));
        Then(new OrderShipped(OrderId, "s-2", Wh2, "dhl", "express", "TRK-s-2", [Qty(1, 1)], At(40)));
    }

    [Fact]
    public void shipping_from_both_locations_ships_the_order()
    {
        Given([.. PackedAtTwoLocations, Shipped("s-1", Wh1, Qty(1, 2))]);
        When(s => Order.Ship(s, Shipped("s-2", Wh2, Qty(1, 1))));
        Assert.Equal(OrderStatus.Shipped, ThenState().Status);
    }

    [Fact]
    public void one_location_cannot_ship_the_part_packed_at_the_other()
    {
        Given([.. PackedAtTwoLocations, Shipped("s-1", Wh1, Qty(1, 2))]);
        When(s => Order.Ship(s, Shipped("s-2", Wh1, Qty(1, 1))));
        ThenRejected(ErrorCodes.QuantityExceedsPacked);
    }

    [Fact]
    public void shipping_before_anything_is_packed_is_rejected()
    {
        Given(Placed(Line(1, SkuA, 3)), Allocated(Alloc(1, SkuA, Wh1, 3)));
        When(s => Order.Ship(s, Shipped("s-1", Wh1, Qty(1, 1))));
        ThenRejected(ErrorCodes.NothingPacked);
    }

    [Fact]
    public void shipping_a_new_shipment_of_a_shipped_order_is_rejected()
    {
        Given([.. PackedAtTwoLocations, Shipped("s-1", Wh1, Qty(1, 2)), Shipped("s-2", Wh2, Qty(1, 1))]);
        When(s => Order.Ship(s, Shipped("s-3", Wh1, Qty(1, 1))));
        ThenRejected(ErrorCodes.OrderShipped);
    }
}
