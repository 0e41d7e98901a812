using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Routing;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Orders.OrderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Orders;

public sealed class PlaceSpecs : OrderSpec
{
    static readonly OrderPlaced TwoLines = Placed(Line(1, SkuA, 3), Line(2, SkuB, 2));
    static readonly OrderPlaced TwoLinesRejectingShortage = Placed(BackorderPolicies.Reject, Line(1, SkuA, 3), Line(2, SkuB, 2));

    [Fact]
    public void an_order_the_network_can_fill_reserves_every_line_in_full()
    {
        When(s => Order.Place(s, TwoLines, Plan(Alloc(1, SkuA, Wh1, 3), Alloc(2, SkuB, Wh1, 2))));
        Then(TwoLines, new OrderStockAllocated(OrderId, [Alloc(1, SkuA, Wh1, 3), Alloc(2, SkuB, Wh1, 2)], FromBackorder: false, T0));
    }

    [Fact]
    public void an_order_reserved_in_full_is_reserved()
    {
        When(s => Order.Place(s, TwoLines, Plan(Alloc(1, SkuA, Wh1, 3), Alloc(2, SkuB, Wh2, 2))));
        Assert.Equal(OrderStatus.Reserved, ThenState().Status);
    }

    [Fact]
    public void a_short_line_under_the_backorder_policy_is_backordered_by_what_is_missing()
    {
        var plan = new AllocationPlan([Alloc(1, SkuA, Wh1, 3), Alloc(2, SkuB, Wh1, 1)], [new ShortLine(2, SkuB, 2, 1)]);
        When(s => Order.Place(s, TwoLines, plan));
        Then(TwoLines, Backordered(Qty(2, 1)), Allocated(Alloc(1, SkuA, Wh1, 3), Alloc(2, SkuB, Wh1, 1)));
    }

    [Fact]
    public void folding_a_partially_backordered_placement_event_by_event_never_passes_through_reserved()
    {
        var plan = new AllocationPlan([Alloc(1, SkuA, Wh1, 3)], [new ShortLine(2, SkuB, 2, 0)]);
        var events = Order.Place(OrderState.Initial, TwoLines, plan);
        var statuses = events.Select((_, i) => events.Take(i + 1).Aggregate(OrderState.Initial, (s, e) => s.When(e)).Status);
        Assert.DoesNotContain(OrderStatus.Reserved, statuses);
    }

    [Fact]
    public void an_order_with_a_backordered_line_is_partially_backordered()
    {
        var plan = new AllocationPlan([Alloc(1, SkuA, Wh1, 3)], [new ShortLine(2, SkuB, 2, 0)]);
        When(s => Order.Place(s, TwoLines, plan));
        Assert.Equal(OrderStatus.PartiallyBackordered, ThenState().Status);
    }

    [Fact]
    public void an_order_nothing_can_fill_is_backordered_without_an_allocation()
    {
        var plan = new AllocationPlan([], [new ShortLine(1, SkuA, 3, 0), new ShortLine(2, SkuB, 2, 0)]);
        When(s => Order.Place(s, TwoLines, plan));
        Then(TwoLines, Backordered(Qty(1, 3), Qty(2, 2)));
    }

    [Fact]
    public void an_order_nothing_can_fill_is_backordered()
    {
        var plan = new AllocationPlan([], [new ShortLine(1, SkuA, 3, 0), new ShortLine(2, SkuB, 2, 0)]);
        When(s => Order.Place(s, TwoLines, plan));
        Assert.Equal(OrderStatus.Backordered, ThenState().Status);
    }

    [Fact]
    public void a_short_order_under_the_reject_policy_is_rejected()
    {
        var plan = new AllocationPlan([Alloc(1, SkuA, Wh1, 3)], [new ShortLine(2, SkuB, 2, 0)]);
        When(s => Order.Place(s, TwoLinesRejectingShortage, plan));
        ThenRejected(ErrorCodes.InsufficientStock);
    }

    [Fact]
    public void a_rejected_order_lists_each_short_line_with_requested_and_available()
    {
        var shortages = new[] { new ShortLine(1, SkuA, 3, 2), new ShortLine(2, SkuB, 2, 0) };
        When(s => Order.Place(s, TwoLinesRejectingShortage, new AllocationPlan([Alloc(1, SkuA, Wh1, 2)], shortages)));
        Assert.Equal(shortages, ThenRejected(ErrorCodes.InsufficientStock).ShortLines);
    }

    [Fact]
    public void an_order_the_network_can_fill_is_accepted_under_the_reject_policy()
    {
        When(s => Order.Place(s, TwoLinesRejectingShortage, Plan(Alloc(1, SkuA, Wh1, 3), Alloc(2, SkuB, Wh2, 2))));
        Then(TwoLinesRejectingShortage, Allocated(Alloc(1, SkuA, Wh1, 3), Alloc(2, SkuB, Wh2, 2)));
    }

    [Fact]
    public void placing_an_order_that_exists_is_rejected()
    {
        Given(TwoLines, Allocated(Alloc(1, SkuA, Wh1, 3), Alloc(2, SkuB, Wh1, 2)));
        When(s => Order.Place(s, TwoLines, Plan(Alloc(1, SkuA, Wh1, 3), Alloc(2, SkuB, Wh1, 2))));
        ThenRejected(ErrorCodes.OrderAlreadyExists);
    }
}
