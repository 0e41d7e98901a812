using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Inventory.StockEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Inventory;

public sealed class StockItemSpecs : StockSpec
{
    static StockReceived Received(int quantity) => new(SkuA, Wh1, quantity, "po-1", T0);

    static StockReserved Reserved(int lineNo, int quantity, string orderId = OrderId) => new(SkuA, Wh1, orderId, lineNo, quantity, T0);

    static SafetyStockSet Safety(int quantity) => new(SkuA, Wh1, quantity, T0);

    [Fact]
    public void the_state_is_the_levels_whatever_the_number_of_order_lines_holding_the_item()
    {
        var state = new object[] { Received(10), Reserved(1, 3), Reserved(2, 2, "other"), new StockShipped(SkuA, Wh1, OrderId, 1, 3, "s-1", T0) }
            .Aggregate(StockState.Initial, (s, e) => s.When(e));
        Assert.Equal(StockState.Initial with { Sku = SkuA, Location = Wh1, OnHand = 7, Reserved = 2, LastMovementAt = T0 }, state);
    }

    [Fact]
    public void receiving_stock_records_the_receipt()
    {
        When(s => StockItem.Receive(s, SkuA, Wh1, 5, "po-7", At(1)));
        Then(new StockReceived(SkuA, Wh1, 5, "po-7", At(1)));
    }

    [Fact]
    public void received_stock_is_on_hand_and_available()
    {
        Given(Received(3));
        When(s => StockItem.Receive(s, SkuA, Wh1, 5, "po-7", At(1)));
        Assert.Equal((8, 8), (ThenState().OnHand, ThenState().AvailableToPromise));
    }

    [Fact]
    public void receiving_nothing_is_a_programming_error()
    {
        When(s => StockItem.Receive(s, SkuA, Wh1, 0, "po-7", At(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ThenState());
    }

    [Fact]
    public void adjusting_down_to_reserved_plus_safety_stock_is_allowed()
    {
        Given(Received(10), Reserved(1, 4), Safety(2));
        When(s => StockItem.Adjust(s, SkuA, Wh1, -4, AdjustmentReasons.Damage, "forklift", At(2)));
        Then(new StockAdjusted(SkuA, Wh1, -4, AdjustmentReasons.Damage, "forklift", At(2)));
    }

    [Fact]
    public void adjusting_below_reserved_plus_safety_stock_is_rejected()
    {
        Given(Received(10), Reserved(1, 4), Safety(2));
        When(s => StockItem.Adjust(s, SkuA, Wh1, -5, AdjustmentReasons.CycleCount, null, At(2)));
        ThenRejected(ErrorCodes.AdjustmentBelowCommitted);
    }

    [Fact]
    public void adjusting_up_adds_to_on_hand()
    {
        Given(Received(2));
        When(s => StockItem.Adjust(s, SkuA, Wh1, 3, AdjustmentReasons.Found, null, At(2)));
        Assert.Equal(5, ThenState().OnHand);
    }

    [Fact]
    public void setting_safety_stock_within_free_stock_is_recorded()
    {
        Given(Received(10), Reserved(1, 4));
        When(s => StockItem.SetSafetyStock(s, SkuA, Wh1, 6, At(3)));
        Then(new SafetyStockSet(SkuA, Wh1, 6, At(3)));
    }

    [Fact]
    public void safety_stock_is_not_available_to_promise()
    {
        Given(Received(10), Reserved(1, 4));
        When(s => StockItem.SetSafetyStock(s, SkuA, Wh1, 6, At(3)));
        Assert.Equal(0, ThenState().AvailableToPromise);
    }

    [Fact]
    public void setting_safety_stock_above_free_stock_is_rejected()
    {
        Given(Received(10), Reserved(1, 4));
        When(s => StockItem.SetSafetyStock(s, SkuA, Wh1, 7, At(3)));
        ThenRejected(ErrorCodes.SafetyStockExceedsFree);
    }

    [Fact]
    public void setting_the_same_safety_stock_again_writes_nothing()
    {
        Given(Received(10), Safety(3));
        When(s => StockItem.SetSafetyStock(s, SkuA, Wh1, 3, At(3)));
        ThenNothing();
    }

    [Fact]
    public void setting_zero_safety_stock_on_an_item_never_seen_names_it()
    {
        When(s => StockItem.SetSafetyStock(s, SkuA, Wh1, 0, At(3)));
        Then(new SafetyStockSet(SkuA, Wh1, 0, At(3)));
    }

    [Fact]
    public void reserving_available_stock_records_the_reservation()
    {
        Given(Received(5));
        When(s => StockItem.Reserve(s, SkuA, Wh1, OrderId, 1, 5, At(4)));
        Then(new StockReserved(SkuA, Wh1, OrderId, 1, 5, At(4)));
    }

    [Fact]
    public void reserving_again_adds_to_what_the_item_holds()
    {
        Given(Received(5), Reserved(1, 2));
        When(s => StockItem.Reserve(s, SkuA, Wh1, OrderId, 1, 1, At(4)));
        var state = ThenState();
        Assert.Equal((3, 2), (state.Reserved, state.AvailableToPromise));
    }

    [Fact]
    public void reserving_beyond_available_to_promise_is_rejected()
    {
        Given(Received(5), Reserved(1, 3));
        When(s => StockItem.Reserve(s, SkuA, Wh1, "o-2", 1, 3, At(4)));
        ThenRejected(ErrorCodes.InsufficientStock);
    }

    [Fact]
    public void reserving_into_safety_stock_is_rejected()
    {
        Given(Received(5), Safety(2));
        When(s => StockItem.Reserve(s, SkuA, Wh1, OrderId, 1, 4, At(4)));
        ThenRejected(ErrorCodes.InsufficientStock);
    }

    [Fact]
    public void releasing_part_of_a_reservation_makes_it_available_again()
    {
        Given(Received(5), Reserved(1, 4));
        When(s => StockItem.Release(s, OrderId, 1, 3, "order-cancelled", At(5)));
        var state = ThenState();
        Assert.Equal((1, 4), (state.Reserved, state.AvailableToPromise));
    }

    [Fact]
    public void releasing_records_what_the_line_gives_back()
    {
        Given(Received(5), Reserved(1, 4));
        When(s => StockItem.Release(s, OrderId, 1, 4, "order-cancelled", At(5)));
        Then(new StockReservationReleased(SkuA, Wh1, OrderId, 1, 4, "order-cancelled", At(5)));
    }

    [Fact]
    public void releasing_more_than_the_item_holds_in_all_is_rejected()
    {
        Given(Received(5), Reserved(1, 2), Reserved(2, 2));
        When(s => StockItem.Release(s, OrderId, 1, 5, "order-cancelled", At(5)));
        ThenRejected(ErrorCodes.ReservationNotFound);
    }

    [Fact]
    public void releasing_from_an_item_that_holds_nothing_is_rejected()
    {
        Given(Received(5));
        When(s => StockItem.Release(s, "o-2", 1, 1, "order-cancelled", At(5)));
        ThenRejected(ErrorCodes.ReservationNotFound);
    }

    [Fact]
    public void shipping_reserved_units_takes_them_off_hand_and_out_of_the_reservation()
    {
        Given(Received(5), Reserved(1, 3));
        When(s => StockItem.Ship(s, OrderId, 1, 2, "s-1", At(6)));
        var state = ThenState();
        Assert.Equal((3, 1, 2), (state.OnHand, state.Reserved, state.AvailableToPromise));
    }

    [Fact]
    public void shipping_records_the_shipment()
    {
        Given(Received(5), Reserved(1, 3));
        When(s => StockItem.Ship(s, OrderId, 1, 3, "s-1", At(6)));
        Then(new StockShipped(SkuA, Wh1, OrderId, 1, 3, "s-1", At(6)));
    }

    [Fact]
    public void shipping_more_than_the_item_holds_in_all_is_rejected()
    {
        Given(Received(5), Reserved(1, 2));
        When(s => StockItem.Ship(s, OrderId, 1, 3, "s-1", At(6)));
        ThenRejected(ErrorCodes.ReservationNotFound);
    }
}
