using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.EventStore.Tests.Conformance;

public abstract partial class EventStoreConformance
{
    [Fact]
    public async Task a_stream_reads_forwards_and_backwards_from_a_revision_up_to_a_count()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(10), Ct);

        var forwards = await Store.ReadStreamAsync(stream, 3, Direction.Forwards, 4, Ct);
        var backwards = await Store.ReadStreamAsync(stream, 5, Direction.Backwards, 3, Ct);
        var fromEnd = await Store.ReadStreamAsync(stream, long.MaxValue, Direction.Backwards, 2, Ct);
        var pastEnd = await Store.ReadStreamAsync(stream, 10, Direction.Forwards, 5, Ct);

        Assert.Equal([3L, 4L, 5L, 6L], forwards.Select(e => e.Revision));
        Assert.Equal([5L, 4L, 3L], backwards.Select(e => e.Revision));
        Assert.Equal([9L, 8L], fromEnd.Select(e => e.Revision));
        Assert.Empty(pastEnd);
    }

    [Fact]
    public async Task a_missing_stream_reads_as_empty()
    {
        Assert.Empty(await Store.ReadStreamAsync(TestEvents.NewStream(), 0, Direction.Forwards, 10, Ct));
        Assert.Empty(await Store.ReadStreamAsync(TestEvents.NewStream(), long.MaxValue, Direction.Backwards, 10, Ct));
    }

    [Fact]
    public async Task all_reads_every_stream_in_global_order_page_by_page()
    {
        var appended = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            var events = TestEvents.Events(3);
            await Store.AppendAsync(TestEvents.NewStream(i % 2 == 0 ? "order" : "stock"), ExpectedRevision.NoStream, events, Ct);
            appended.AddRange(events.Select(e => e.EventId));
        }

        var all = await Store.ReadAllEvents(expectAtLeast: 21, pageSize: 4);

        Assert.Equal(appended, all.Select(e => e.EventId));
        Assert.Equal(all.Select(e => e.Position).Order(), all.Select(e => e.Position));
        var second = await Store.ReadAllAsync(all[5].Position, 3, null, Ct);
        Assert.Equal(all.Skip(5).Take(3).Select(e => e.EventId), second.Events.Select(e => e.EventId));
        Assert.Equal(all[7].Position + 1, second.NextPosition);
    }

    [Fact]
    public async Task all_filters_by_stream_category_prefix_and_event_type_and_moves_past_what_it_leaves_out()
    {
        var order = TestEvents.NewStream("order");
        var stock = TestEvents.NewStream("stock");
        var orderEvents = new[] { TestEvents.Event("OrderPlaced.v1"), TestEvents.Event("OrderShipped.v1") };
        var stockEvents = new[] { TestEvents.Event("StockReceived.v1"), TestEvents.Event("StockReserved.v1") };
        await Store.AppendAsync(order, ExpectedRevision.NoStream, orderEvents, Ct);
        await Store.AppendAsync(stock, ExpectedRevision.NoStream, stockEvents, Ct);
        await Store.AppendAsync(TestEvents.NewStream("order_archive"), ExpectedRevision.NoStream, TestEvents.Events(1), Ct);
        var everything = await Store.ReadAllEvents(expectAtLeast: 5);

        var orders = await Store.ReadAllEvents(0, EventFilter.StreamPrefix("order-"));
        var shippedOrReceived = await Store.ReadAllEvents(0, EventFilter.Types("OrderShipped.v1", "StockReceived.v1"));
        var both = await Store.ReadAllEvents(0, new EventFilter(["stock-"], ["StockReserved.v1", "OrderShipped.v1"]));
        var none = await Store.ReadAllAsync(0, 10, EventFilter.Types("Nothing.v1"), Ct);

        Assert.Equal(orderEvents.Select(e => e.EventId), orders.Select(e => e.EventId));
        Assert.Equal([orderEvents[1].EventId, stockEvents[0].EventId], shippedOrReceived.Select(e => e.EventId));
        Assert.Equal([stockEvents[1].EventId], both.Select(e => e.EventId));
        Assert.Empty(none.Events);
        Assert.True(none.NextPosition > everything[^1].Position, "a filtered read moves its checkpoint past the events it left out");
    }
}
