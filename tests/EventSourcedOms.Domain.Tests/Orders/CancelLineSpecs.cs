using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Orders.OrderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Orders;

public sealed class CancelLineSpecs : OrderSpec
{
    static readonly object[] ThreeReserved = [Placed(Line(1, SkuA, 3)), Allocated(Alloc(1, SkuA, Wh1, 3))];

    /// <summary>Three reserved at wh-1, all picked, two packed, one shipped.</summary>
    static readonly object[] OneOfThreeShipped =
        [.. ThreeReserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 3)), Packed(Wh1, Qty(1, 2)), Shipped("s-1", Wh1, Qty(1, 1))];

    static OrderQuantitiesCancelled LineCancelled(CancelledLine line) => new(OrderId, Reason, WholeOrder: false, [line], At(9));

    [Fact]
    public void cancelling_part_of_a_line_releases_only_that_quantity()
    {
        Given(ThreeReserved);
        When(s => Order.CancelLine(s, 1, 2, Reason, At(9)));
        Then(LineCancelled(new CancelledLine(1, SkuA, 2, 0, [new Release(Wh1, 2)])));
    }

    [Fact]
    public void cancelling_more_than_the_open_quantity_is_rejected()
    {
        Given(ThreeReserved);
        When(s => Order.CancelLine(s, 1, 4, Reason, At(9)));
        ThenRejected(ErrorCodes.QuantityExceedsOpen);
    }

    [Fact]
    public void quantities_cancelled_before_are_no_longer_open()
    {
        Given([.. ThreeReserved, LineCancelled(new CancelledLine(1, SkuA, 2, 0, [new Release(Wh1, 2)]))]);
        When(s => Order.CancelLine(s, 1, 2, Reason, At(10)));
        ThenRejected(ErrorCodes.QuantityExceedsOpen);
    }

    [Fact]
    public void cancelling_shipped_units_of_a_line_is_rejected()
    {
        Given(OneOfThreeShipped);
        When(s => Order.CancelLine(s, 1, 3, Reason, At(50)));
        ThenRejected(ErrorCodes.QuantityExceedsOpen);
    }

    [Fact]
    public void cancelling_the_unshipped_rest_of_a_partially_shipped_line_releases_it()
    {
        Given(OneOfThreeShipped);
        When(s => Order.CancelLine(s, 1, 2, Reason, At(50)));
        Then(new OrderQuantitiesCancelled(OrderId, Reason, WholeOrder: false, [new CancelledLine(1, SkuA, 2, 0, [new Release(Wh1, 2)])], At(50)));
    }

    [Fact]
    public void cancelling_the_unshipped_rest_leaves_the_order_shipped()
    {
        Given(OneOfThreeShipped);
        When(s => Order.CancelLine(s, 1, 2, Reason, At(50)));
        Assert.Equal(OrderStatus.Shipped, ThenState().Status);
    }

    [Fact]
    public void cancelling_a_shipped_line_is_rejected()
    {
        Given([.. ThreeReserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 3)), Packed(Wh1, Qty(1, 3)), Shipped("s-1", Wh1, Qty(1, 3))]);
        When(s => Order.CancelLine(s, 1, 1, Reason, At(50)));
        ThenRejected(ErrorCodes.OrderShipped);
    }

    [Fact]
    public void cancelling_a_line_the_order_does_not_have_is_rejected()
    {
        Given(ThreeReserved);
        When(s => Order.CancelLine(s, 7, 1, Reason, At(9)));
        ThenRejected(ErrorCodes.LineNotFound);
    }

    [Fact]
    public void cancelling_a_line_releases_the_latest_allocation_first()
    {
        Given(Placed(Line(1, SkuA, 4)), Allocated(Alloc(1, SkuA, Wh1, 2)), Backordered(Qty(1, 2)),
            new OrderStockAllocated(OrderId, [Alloc(1, SkuA, Wh2, 2)], FromBackorder: true, At(3)));
        When(s => Order.CancelLine(s, 1, 3, Reason, At(9)));
        Then(LineCancelled(new CancelledLine(1, SkuA, 3, 0, [new Release(Wh2, 2), new Release(Wh1, 1)])));
    }

    [Fact]
    public void cancelling_a_line_takes_backordered_units_before_reserved_ones()
    {
        Given(Placed(Line(1, SkuA, 4)), Allocated(Alloc(1, SkuA, Wh1, 2)), Backordered(Qty(1, 2)));
        When(s => Order.CancelLine(s, 1, 3, Reason, At(9)));
        Then(LineCancelled(new CancelledLine(1, SkuA, 3, FromBackorder: 2, [new Release(Wh1, 1)])));
    }

    [Fact]
    public void cancelling_unpicked_units_leaves_the_picked_ones_picked()
    {
        Given([.. ThreeReserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 1))]);
        When(s => Order.CancelLine(s, 1, 2, Reason, At(25)));
        Assert.Equal(new LineAllocation(Wh1, 1, 1, 0, 0), ThenState().Line(1)!.At(Wh1));
    }

    [Fact]
    public void cancelling_picked_and_packed_units_puts_them_back()
    {
        Given([.. ThreeReserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 3)), Packed(Wh1, Qty(1, 2))]);
        When(s => Order.CancelLine(s, 1, 2, Reason, At(35)));
        Assert.Equal(new LineAllocation(Wh1, 1, 1, 1, 0), ThenState().Line(1)!.At(Wh1));
    }

    [Fact]
    public void cancelling_every_line_cancels_the_order()
    {
        Given(ThreeReserved);
        When(s => Order.CancelLine(s, 1, 3, Reason, At(9)));
        Assert.Equal(OrderStatus.Cancelled, ThenState().Status);
    }
}
