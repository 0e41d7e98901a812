using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Inventory.BackorderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Inventory;

public sealed class BackorderQueueSpecs : BackorderSpec
{
    static BackorderQueued Queued(string orderId, int lineNo, int quantity, DateTimeOffset placedAt) => new(SkuA, orderId, lineNo, quantity, placedAt);

    static BackorderFilled Filled(string orderId, int lineNo, int quantity, string location) => new(SkuA, orderId, lineNo, quantity, location, At(90));

    [Fact]
    public void enqueuing_queues_each_short_line_with_the_order_time()
    {
        When(_ => BackorderQueue.Enqueue(SkuA, "o-1", [Qty(1, 2), Qty(3, 1)], At(-60)));
        Then(Queued("o-1", 1, 2, At(-60)), Queued("o-1", 3, 1, At(-60)));
    }

    [Fact]
    public void the_oldest_order_is_served_first_whatever_its_arrival()
    {
        Given(Queued("o-new", 1, 2, At(10)), Queued("o-old", 1, 2, At(5)));
        When(s => BackorderQueue.Fill(s, SkuA, [(Wh1, 2)], maxOrders: 10, At(90)));
        Then(Filled("o-old", 1, 2, Wh1));
    }

    [Fact]
    public void orders_placed_at_the_same_time_are_served_in_arrival_order()
    {
        Given(Queued("o-b", 1, 1, At(5)), Queued("o-a", 1, 1, At(5)));
        When(s => BackorderQueue.Fill(s, SkuA, [(Wh1, 1)], maxOrders: 10, At(90)));
        Then(Filled("o-b", 1, 1, Wh1));
    }

    [Fact]
    public void a_backorder_larger_than_one_locations_stock_is_split_across_locations()
    {
        Given(Queued("o-1", 1, 5, At(5)));
        When(s => BackorderQueue.Fill(s, SkuA, [(Wh1, 2), (Wh2, 4)], maxOrders: 10, At(90)));
        Then(Filled("o-1", 1, 2, Wh1), Filled("o-1", 1, 3, Wh2));
    }

    [Fact]
    public void stock_left_at_a_location_serves_the_next_order()
    {
        Given(Queued("o-1", 1, 1, At(5)), Queued("o-2", 1, 3, At(6)));
        When(s => BackorderQueue.Fill(s, SkuA, [(Wh1, 2), (Wh2, 1)], maxOrders: 10, At(90)));
        Then(Filled("o-1", 1, 1, Wh1), Filled("o-2", 1, 1, Wh1), Filled("o-2", 1, 1, Wh2));
    }

    [Fact]
    public void locations_without_available_stock_are_skipped()
    {
        Given(Queued("o-1", 1, 2, At(5)));
        When(s => BackorderQueue.Fill(s, SkuA, [(Wh1, 0), (Wh2, 5)], maxOrders: 10, At(90)));
        Then(Filled("o-1", 1, 2, Wh2));
    }

    [Fact]
    public void filling_serves_at_most_max_orders()
    {
        Given(Queued("o-1", 1, 1, At(1)), Queued("o-2", 1, 1, At(2)), Queued("o-3", 1, 1, At(3)));
        When(s => BackorderQueue.Fill(s, SkuA, [(Wh1, 10)], maxOrders: 2, At(90)));
        Then(Filled("o-1", 1, 1, Wh1), Filled("o-2", 1, 1, Wh1));
    }

    [Fact]
    public void every_line_of_an_order_counts_as_one_order_towards_the_bound()
    {
        Given(Queued("o-1", 1, 1, At(1)), Queued("o-1", 2, 1, At(1)), Queued("o-2", 1, 1, At(2)));
        When(s => BackorderQueue.Fill(s, SkuA, [(Wh1, 10)], maxOrders: 1, At(90)));
        Then(Filled("o-1", 1, 1, Wh1), Filled("o-1", 2, 1, Wh1));
    }

    [Fact]
    public void filling_without_stock_fills_nothing()
    {
        Given(Queued("o-1", 1, 2, At(5)));
        When(s => BackorderQueue.Fill(s, SkuA, [(Wh1, 0)], maxOrders: 10, At(90)));
        ThenNothing();
    }

    [Fact]
    public void a_partly_filled_backorder_keeps_the_rest_in_the_queue()
    {
        Given(Queued("o-1", 1, 5, At(5)));
        When(s => BackorderQueue.Fill(s, SkuA, [(Wh1, 2)], maxOrders: 10, At(90)));
        Assert.Equal(3, ThenState().Find("o-1", 1)?.Quantity);
    }

    [Fact]
    public void a_filled_backorder_leaves_the_queue()
    {
        Given(Queued("o-1", 1, 2, At(5)));
        When(s => BackorderQueue.Fill(s, SkuA, [(Wh1, 2)], maxOrders: 10, At(90)));
        Assert.Empty(ThenState().Entries);
    }

    [Fact]
    public void queuing_more_for_a_queued_line_keeps_its_place()
    {
        Given(Queued("o-1", 1, 1, At(5)), Queued("o-2", 1, 1, At(5)), Queued("o-1", 1, 2, At(5)));
        When(s => BackorderQueue.Fill(s, SkuA, [(Wh1, 4)], maxOrders: 10, At(90)));
        Then(Filled("o-1", 1, 3, Wh1), Filled("o-2", 1, 1, Wh1));
    }

    [Fact]
    public void withdrawing_takes_the_quantity_out_of_the_queue()
    {
        Given(Queued("o-1", 1, 3, At(5)));
        When(s => BackorderQueue.Withdraw(s, SkuA, "o-1", 1, 2, At(9)));
        Assert.Equal(1, ThenState().Find("o-1", 1)?.Quantity);
    }

    [Fact]
    public void withdrawing_more_than_is_queued_is_a_programming_error()
    {
        Given(Queued("o-1", 1, 1, At(5)));
        When(s => BackorderQueue.Withdraw(s, SkuA, "o-1", 1, 2, At(9)));
        Assert.Throws<InvalidOperationException>(() => ThenState());
    }
}
