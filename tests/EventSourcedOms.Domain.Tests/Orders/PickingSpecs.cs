using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Orders.OrderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Orders;

public sealed class StartPickingSpecs : OrderSpec
{
    /// <summary>Line 1 split over both warehouses; line 2 (sku-b) at wh-2 only.</summary>
    static readonly object[] SplitOverTwoLocations =
        [Placed(Line(1, SkuA, 3), Line(2, SkuB, 1)), Allocated(Alloc(1, SkuA, Wh2, 1), Alloc(1, SkuA, Wh1, 2), Alloc(2, SkuB, Wh2, 1))];

    [Fact]
    public void starting_picking_without_a_location_starts_at_every_location_with_stock_to_pick()
    {
        Given(SplitOverTwoLocations);
        When(s => Order.StartPicking(s, null, At(10)));
        Then(new PickingStarted(OrderId, Wh1, At(10)), new PickingStarted(OrderId, Wh2, At(10)));
    }

    [Fact]
    public void starting_picking_at_one_location_starts_only_there()
    {
        Given(SplitOverTwoLocations);
        When(s => Order.StartPicking(s, Wh2, At(10)));
        Then(new PickingStarted(OrderId, Wh2, At(10)));
    }

    [Fact]
    public void starting_picking_again_is_a_no_op()
    {
        Given([.. SplitOverTwoLocations, PickingAt(Wh1), PickingAt(Wh2)]);
        When(s => Order.StartPicking(s, null, At(11)));
        ThenNothing();
    }

    [Fact]
    public void starting_picking_everywhere_skips_locations_already_picking()
    {
        Given([.. SplitOverTwoLocations, PickingAt(Wh2)]);
        When(s => Order.StartPicking(s, null, At(11)));
        Then(new PickingStarted(OrderId, Wh1, At(11)));
    }

    [Fact]
    public void starting_picking_skips_locations_already_fully_picked()
    {
        Given([.. SplitOverTwoLocations, PickingAt(Wh1), Picked(Wh1, Qty(1, 2))]);
        When(s => Order.StartPicking(s, null, At(21)));
        Then(new PickingStarted(OrderId, Wh2, At(21)));
    }

    [Fact]
    public void starting_picking_at_a_location_holding_nothing_for_the_order_is_rejected()
    {
        Given(Placed(Line(1, SkuA, 2)), Allocated(Alloc(1, SkuA, Wh1, 2)));
        When(s => Order.StartPicking(s, Wh2, At(10)));
        ThenRejected(ErrorCodes.NothingToPick);
    }

    [Fact]
    public void starting_picking_of_a_backordered_order_is_rejected()
    {
        Given(Placed(Line(1, SkuA, 2)), Backordered(Qty(1, 2)));
        When(s => Order.StartPicking(s, null, At(10)));
        ThenRejected(ErrorCodes.NothingReserved);
    }

    [Fact]
    public void an_order_being_picked_is_picking()
    {
        Given(SplitOverTwoLocations);
        When(s => Order.StartPicking(s, Wh1, At(10)));
        Assert.Equal(OrderStatus.Picking, ThenState().Status);
    }
}

public sealed class ConfirmPickSpecs : OrderSpec
{
    static readonly object[] PickingAtWh1 = [Placed(Line(1, SkuA, 3), Line(2, SkuB, 1)), Allocated(Alloc(1, SkuA, Wh1, 3), Alloc(2, SkuB, Wh2, 1)), PickingAt(Wh1)];

    [Fact]
    public void confirming_a_pick_records_the_picked_lines()
    {
        Given(PickingAtWh1);
        When(s => Order.ConfirmPick(s, Wh1, [Qty(1, 2)], At(20)));
        Then(new OrderItemsPicked(OrderId, Wh1, [Qty(1, 2)], At(20)));
    }

    [Fact]
    public void confirming_a_pick_before_picking_started_is_rejected()
    {
        Given(Placed(Line(1, SkuA, 3)), Allocated(Alloc(1, SkuA, Wh1, 3)));
        When(s => Order.ConfirmPick(s, Wh1, [Qty(1, 1)], At(20)));
        ThenRejected(ErrorCodes.PickingNotStarted);
    }

    [Fact]
    public void confirming_a_pick_at_a_location_not_picking_is_rejected()
    {
        Given(PickingAtWh1);
        When(s => Order.ConfirmPick(s, Wh2, [Qty(2, 1)], At(20)));
        ThenRejected(ErrorCodes.PickingNotStarted);
    }

    [Fact]
    public void picking_more_than_is_reserved_at_the_location_is_rejected()
    {
        Given(PickingAtWh1);
        When(s => Order.ConfirmPick(s, Wh1, [Qty(1, 4)], At(20)));
        ThenRejected(ErrorCodes.QuantityExceedsReserved);
    }

    [Fact]
    public void picking_a_line_at_a_location_that_holds_none_of_it_is_rejected()
    {
        Given(PickingAtWh1);
        When(s => Order.ConfirmPick(s, Wh1, [Qty(2, 1)], At(20)));
        ThenRejected(ErrorCodes.QuantityExceedsReserved);
    }

    [Fact]
    public void picking_more_than_is_left_after_earlier_picks_is_rejected()
    {
        Given([.. PickingAtWh1, Picked(Wh1, Qty(1, 2))]);
        When(s => Order.ConfirmPick(s, Wh1, [Qty(1, 2)], At(21)));
        ThenRejected(ErrorCodes.QuantityExceedsReserved);
    }

    [Fact]
    public void entries_for_the_same_line_in_one_pick_count_together()
    {
        Given(PickingAtWh1);
        When(s => Order.ConfirmPick(s, Wh1, [Qty(1, 2), Qty(1, 2)], At(20)));
        ThenRejected(ErrorCodes.QuantityExceedsReserved);
    }

    [Fact]
    public void confirming_a_pick_for_a_line_the_order_does_not_have_is_rejected()
    {
        Given(PickingAtWh1);
        When(s => Order.ConfirmPick(s, Wh1, [Qty(9, 1)], At(20)));
        ThenRejected(ErrorCodes.LineNotFound);
    }
}
