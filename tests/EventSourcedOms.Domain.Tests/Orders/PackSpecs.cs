using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Orders.OrderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Orders;

public sealed class PackSpecs : OrderSpec
{
    static readonly object[] Reserved = [Placed(Line(1, SkuA, 3), Line(2, SkuB, 1)), Allocated(Alloc(1, SkuA, Wh1, 3), Alloc(2, SkuB, Wh1, 1))];
    static readonly object[] AllPicked = [.. Reserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 3), Qty(2, 1))];

    [Fact]
    public void packing_picked_units_records_the_packages()
    {
        Given(AllPicked);
        Package[] packages = [new("p-1", 900, [Qty(1, 2)]), new("p-2", 400, [Qty(1, 1), Qty(2, 1)])];
        When(s => Order.Pack(s, Wh1, packages, At(30)));
        Then(new OrderPacked(OrderId, Wh1, packages, At(30)));
    }

    [Fact]
    public void packing_more_than_was_picked_is_rejected()
    {
        Given([.. Reserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 1))]);
        When(s => Order.Pack(s, Wh1, [new Package("p-1", 900, [Qty(1, 2)])], At(30)));
        ThenRejected(ErrorCodes.QuantityExceedsPicked);
    }

    [Fact]
    public void units_of_one_line_spread_over_packages_count_together()
    {
        Given(AllPicked);
        When(s => Order.Pack(s, Wh1, [new Package("p-1", 900, [Qty(1, 2)]), new Package("p-2", 900, [Qty(1, 2)])], At(30)));
        ThenRejected(ErrorCodes.QuantityExceedsPicked);
    }

    [Fact]
    public void packing_at_another_location_than_the_pick_is_rejected()
    {
        Given(AllPicked);
        When(s => Order.Pack(s, Wh2, [new Package("p-1", 900, [Qty(1, 1)])], At(30)));
        ThenRejected(ErrorCodes.QuantityExceedsPicked);
    }

    [Fact]
    public void an_order_packed_in_full_is_packed()
    {
        Given(AllPicked);
        When(s => Order.Pack(s, Wh1, [new Package("p-1", 900, [Qty(1, 3), Qty(2, 1)])], At(30)));
        Assert.Equal(OrderStatus.Packed, ThenState().Status);
    }

    [Fact]
    public void an_order_packed_in_part_is_still_picking()
    {
        Given(AllPicked);
        When(s => Order.Pack(s, Wh1, [new Package("p-1", 900, [Qty(1, 3)])], At(30)));
        Assert.Equal(OrderStatus.Picking, ThenState().Status);
    }

    [Fact]
    public void packing_before_picking_started_is_rejected()
    {
        Given(Reserved);
        When(s => Order.Pack(s, Wh1, [new Package("p-1", 900, [Qty(1, 1)])], At(30)));
        ThenRejected(ErrorCodes.PickingNotStarted);
    }

    [Fact]
    public void packing_a_packed_order_is_rejected()
    {
        Given([.. AllPicked, Packed(Wh1, Qty(1, 3), Qty(2, 1))]);
        When(s => Order.Pack(s, Wh1, [new Package("p-9", 900, [Qty(1, 1)])], At(31)));
        ThenRejected(ErrorCodes.NothingToPack);
    }
}
