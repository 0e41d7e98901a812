using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Orders.OrderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Orders;

public sealed class CancelSpecs : OrderSpec
{
    static readonly object[] SplitOverTwoLocations =
        [Placed(Line(1, SkuA, 4), Line(2, SkuB, 1)), Allocated(Alloc(1, SkuA, Wh1, 3), Alloc(1, SkuA, Wh2, 1), Alloc(2, SkuB, Wh2, 1))];

    static readonly object[] Reserved = [Placed(Line(1, SkuA, 2)), Allocated(Alloc(1, SkuA, Wh1, 2))];

    static OrderQuantitiesCancelled WholeOrder(params CancelledLine[] lines) => new(OrderId, Reason, WholeOrder: true, lines, At(9));

    [Fact]
    public void cancelling_an_order_releases_each_reservation_at_its_location()
    {
        Given(SplitOverTwoLocations);
        When(s => Order.Cancel(s, Reason, At(9)));
        Then(WholeOrder(
            new CancelledLine(1, SkuA, 4, 0, [new Release(Wh2, 1), new Release(Wh1, 3)]),
            new CancelledLine(2, SkuB, 1, 0, [new Release(Wh2, 1)])));
    }

    [Fact]
    public void cancelling_an_order_takes_backordered_units_first_with_nothing_to_release()
    {
        Given(Placed(Line(1, SkuA, 4)), Allocated(Alloc(1, SkuA, Wh1, 1)), Backordered(Qty(1, 3)));
        When(s => Order.Cancel(s, Reason, At(9)));
        Then(WholeOrder(new CancelledLine(1, SkuA, 4, FromBackorder: 3, [new Release(Wh1, 1)])));
    }

    [Fact]
    public void cancelling_an_order_releases_picked_and_packed_units_too()
    {
        Given([.. Reserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 2)), Packed(Wh1, Qty(1, 1))]);
        When(s => Order.Cancel(s, Reason, At(9)));
        Then(WholeOrder(new CancelledLine(1, SkuA, 2, 0, [new Release(Wh1, 2)])));
    }

    [Fact]
    public void cancelled_picked_units_go_back_on_the_shelf()
    {
        Given([.. Reserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 2)), Packed(Wh1, Qty(1, 1))]);
        When(s => Order.Cancel(s, Reason, At(9)));
        Assert.Equal(new LineAllocation(Wh1, 0, 0, 0, 0), ThenState().Line(1)!.At(Wh1));
    }

    [Fact]
    public void a_cancelled_order_is_cancelled()
    {
        Given(SplitOverTwoLocations);
        When(s => Order.Cancel(s, Reason, At(9)));
        Assert.Equal(OrderStatus.Cancelled, ThenState().Status);
    }

    [Fact]
    public void cancelling_a_partially_shipped_order_is_rejected()
    {
        Given([.. Reserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 2)), Packed(Wh1, Qty(1, 2)), Shipped("s-1", Wh1, Qty(1, 1))]);
        When(s => Order.Cancel(s, Reason, At(50)));
        ThenRejected(ErrorCodes.OrderPartiallyShipped);
    }

    [Fact]
    public void cancelling_a_cancelled_order_is_rejected()
    {
        Given([.. Reserved, WholeOrder(new CancelledLine(1, SkuA, 2, 0, [new Release(Wh1, 2)]))]);
        When(s => Order.Cancel(s, Reason, At(10)));
        ThenRejected(ErrorCodes.OrderCancelled);
    }

    [Fact]
    public void cancelling_an_order_that_does_not_exist_is_rejected()
    {
        When(s => Order.Cancel(s, Reason, At(9)));
        ThenRejected(ErrorCodes.OrderNotFound);
    }
}
