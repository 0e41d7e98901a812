using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Orders.OrderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Orders;

public sealed class HoldSpecs : OrderSpec
{
    static readonly object[] Reserved = [Placed(Line(1, SkuA, 2)), Allocated(Alloc(1, SkuA, Wh1, 2))];
    static readonly object[] Backorder = [Placed(Line(1, SkuA, 2)), Backordered(Qty(1, 2))];

    [Fact]
    public void holding_an_order_records_the_reason_and_note()
    {
        Given(Reserved);
        When(s => Order.Hold(s, HoldReasons.Fraud, "card flagged", At(5)));
        Then(new OrderHeld(OrderId, HoldReasons.Fraud, "card flagged", At(5)));
    }

    [Fact]
    public void a_held_order_keeps_its_status()
    {
        Given(Reserved);
        When(s => Order.Hold(s, HoldReasons.Fraud, null, At(5)));
        var state = ThenState();
        Assert.Equal((OrderStatus.Reserved, HoldReasons.Fraud), (state.Status, state.Hold?.Reason));
    }

    [Fact]
    public void holding_a_held_order_is_rejected()
    {
        Given([.. Reserved, Held()]);
        When(s => Order.Hold(s, HoldReasons.Address, null, At(6)));
        ThenRejected(ErrorCodes.OrderAlreadyOnHold);
    }

    [Fact]
    public void holding_a_backordered_order_is_allowed()
    {
        Given(Backorder);
        When(s => Order.Hold(s, HoldReasons.Payment, null, At(5)));
        Then(new OrderHeld(OrderId, HoldReasons.Payment, null, At(5)));
    }

    [Fact]
    public void a_partially_shipped_order_can_be_held_to_stop_the_rest_of_its_shipments()
    {
        Given([.. Reserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 2)), Packed(Wh1, Qty(1, 2)), Shipped("s-1", Wh1, Qty(1, 1))]);
        When(s => Order.Hold(s, HoldReasons.Fraud, null, At(50)));
        Then(new OrderHeld(OrderId, HoldReasons.Fraud, null, At(50)));
    }

    [Fact]
    public void releasing_a_held_order_lifts_the_hold()
    {
        Given([.. Reserved, Held()]);
        When(s => Order.Release(s, At(7)));
        Then(new OrderReleased(OrderId, At(7)));
    }

    [Fact]
    public void a_released_order_is_no_longer_held()
    {
        Given([.. Reserved, Held()]);
        When(s => Order.Release(s, At(7)));
        Assert.Null(ThenState().Hold);
    }

    [Fact]
    public void releasing_an_order_that_is_not_held_is_rejected()
    {
        Given(Reserved);
        When(s => Order.Release(s, At(7)));
        ThenRejected(ErrorCodes.OrderNotOnHold);
    }

    [Fact]
    public void a_held_order_cannot_start_picking()
    {
        Given([.. Reserved, Held()]);
        When(s => Order.StartPicking(s, null, At(10)));
        ThenRejected(ErrorCodes.OrderOnHold);
    }

    [Fact]
    public void a_held_order_cannot_confirm_a_pick()
    {
        Given([.. Reserved, PickingAt(Wh1), Held()]);
        When(s => Order.ConfirmPick(s, Wh1, [Qty(1, 1)], At(20)));
        ThenRejected(ErrorCodes.OrderOnHold);
    }

    [Fact]
    public void a_held_order_cannot_be_packed()
    {
        Given([.. Reserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 2)), Held()]);
        When(s => Order.Pack(s, Wh1, [new Package("p-1", 800, [Qty(1, 2)])], At(30)));
        ThenRejected(ErrorCodes.OrderOnHold);
    }

    [Fact]
    public void a_held_order_cannot_be_shipped()
    {
        Given([.. Reserved, PickingAt(Wh1), Picked(Wh1, Qty(1, 2)), Packed(Wh1, Qty(1, 2)), Held()]);
        When(s => Order.Ship(s, Shipped("s-1", Wh1, Qty(1, 2))));
        ThenRejected(ErrorCodes.OrderOnHold);
    }

    [Fact]
    public void a_released_order_can_start_picking()
    {
        Given([.. Reserved, Held(), new OrderReleased(OrderId, At(7))]);
        When(s => Order.StartPicking(s, null, At(10)));
        Then(new PickingStarted(OrderId, Wh1, At(10)));
    }

    [Fact]
    public void a_held_order_can_be_cancelled()
    {
        Given([.. Reserved, Held()]);
        When(s => Order.Cancel(s, Reason, At(8)));
        Then(new OrderQuantitiesCancelled(OrderId, Reason, WholeOrder: true, [new CancelledLine(1, SkuA, 2, 0, [new Release(Wh1, 2)])], At(8)));
    }

    [Fact]
    public void cancelling_a_held_order_clears_the_hold()
    {
        Given([.. Reserved, Held()]);
        When(s => Order.Cancel(s, Reason, At(8)));
        Assert.Null(ThenState().Hold);
    }

    [Fact]
    public void a_held_order_still_takes_backordered_stock()
    {
        Given([.. Backorder, Held()]);
        When(s => Order.AllocateBackorder(s, [Alloc(1, SkuA, Wh1, 2)], At(9)));
        Then(new OrderStockAllocated(OrderId, [Alloc(1, SkuA, Wh1, 2)], FromBackorder: true, At(9)));
    }
}
