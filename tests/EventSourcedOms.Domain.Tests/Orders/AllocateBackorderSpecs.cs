using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Orders.OrderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Orders;

public sealed class AllocateBackorderSpecs : OrderSpec
{
    static readonly object[] PartlyBackordered = [Placed(Line(1, SkuA, 4), Line(2, SkuB, 1)), Allocated(Alloc(1, SkuA, Wh1, 1), Alloc(2, SkuB, Wh1, 1)), Backordered(Qty(1, 3))];

    [Fact]
    public void allocating_arrived_stock_reserves_it_for_the_backordered_line()
    {
        Given(PartlyBackordered);
        When(s => Order.AllocateBackorder(s, [Alloc(1, SkuA, Wh2, 2)], At(60)));
        Then(new OrderStockAllocated(OrderId, [Alloc(1, SkuA, Wh2, 2)], FromBackorder: true, At(60)));
    }

    [Fact]
    public void an_allocated_backorder_is_no_longer_backordered()
    {
        Given(PartlyBackordered);
        When(s => Order.AllocateBackorder(s, [Alloc(1, SkuA, Wh2, 2)], At(60)));
        var line = ThenState().Line(1)!;
        Assert.Equal((1, 1, 2), (line.Backordered, line.At(Wh1)!.Allocated, line.At(Wh2)!.Allocated));
    }

    [Fact]
    public void allocating_more_than_is_backordered_is_rejected()
    {
        Given(PartlyBackordered);
        When(s => Order.AllocateBackorder(s, [Alloc(1, SkuA, Wh2, 4)], At(60)));
        ThenRejected(ErrorCodes.NothingBackordered);
    }

    [Fact]
    public void allocations_for_one_line_count_together()
    {
        Given(PartlyBackordered);
        When(s => Order.AllocateBackorder(s, [Alloc(1, SkuA, Wh1, 2), Alloc(1, SkuA, Wh2, 2)], At(60)));
        ThenRejected(ErrorCodes.NothingBackordered);
    }

    [Fact]
    public void allocating_to_a_line_with_nothing_backordered_is_rejected()
    {
        Given(PartlyBackordered);
        When(s => Order.AllocateBackorder(s, [Alloc(2, SkuB, Wh1, 1)], At(60)));
        ThenRejected(ErrorCodes.NothingBackordered);
    }

    [Fact]
    public void a_partially_backordered_order_filled_in_full_is_reserved()
    {
        Given(PartlyBackordered);
        When(s => Order.AllocateBackorder(s, [Alloc(1, SkuA, Wh1, 1), Alloc(1, SkuA, Wh2, 2)], At(60)));
        Assert.Equal(OrderStatus.Reserved, ThenState().Status);
    }

    [Fact]
    public void a_backordered_order_filled_in_part_is_partially_backordered()
    {
        Given(Placed(Line(1, SkuA, 4)), Backordered(Qty(1, 4)));
        When(s => Order.AllocateBackorder(s, [Alloc(1, SkuA, Wh1, 1)], At(60)));
        Assert.Equal(OrderStatus.PartiallyBackordered, ThenState().Status);
    }

    [Fact]
    public void allocating_to_a_cancelled_order_is_rejected()
    {
        Given([.. PartlyBackordered, new OrderQuantitiesCancelled(OrderId, Reason, WholeOrder: true,
            [new CancelledLine(1, SkuA, 4, 3, [new Release(Wh1, 1)]), new CancelledLine(2, SkuB, 1, 0, [new Release(Wh1, 1)])], At(9))]);
        When(s => Order.AllocateBackorder(s, [Alloc(1, SkuA, Wh2, 1)], At(60)));
        ThenRejected(ErrorCodes.OrderCancelled);
    }
}
