using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.EventStore.Tests.Conformance;

public abstract partial class EventStoreConformance
{
    [Fact]
    public async Task a_subscription_catches_up_on_history_then_receives_new_events_live()
    {
        var stream = TestEvents.NewStream();
        var history = TestEvents.Events(5);
        await Store.AppendAsync(stream, ExpectedRevision.NoStream, history, Ct);
        await using var follower = new Follower(Store, FromAll.Start);
        Assert.Equal(history.Select(e => e.EventId), (await follower.Take(5)).Select(e => e.EventId));

        // The store's poll interval is far longer than this wait: only the live wake-up can deliver in time.
        for (var i = 0; i < 5; i++)
        {
            var live = TestEvents.Event();
            await Store.AppendAsync(stream, ExpectedRevision.Any, [live], Ct);
            Assert.Equal(live.EventId, (await follower.Take(1, TimeSpan.FromSeconds(5)))[0].EventId);
        }
    }

    [Fact]
    public async Task a_subscription_from_a_checkpoint_starts_right_after_it()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(6), Ct);
        var all = await Store.ReadAllEvents(expectAtLeast: 6);

        await using var follower = new Follower(Store, FromAll.AfterPosition(all[2].Position));

        Assert.Equal(all.Skip(3).Select(e => e.EventId), (await follower.Take(3)).Select(e => e.EventId));
        Assert.False(follower.TryTake(out _));
    }

    [Fact]
    public async Task a_filtered_subscription_receives_only_matching_events()
    {
        await using var follower = new Follower(Store, FromAll.Start, EventFilter.StreamPrefix("stock-"));
        var stock = TestEvents.Events(2, "StockReceived.v1");
        await Store.AppendAsync(TestEvents.NewStream("order"), ExpectedRevision.NoStream, TestEvents.Events(3), Ct);
        await Store.AppendAsync(TestEvents.NewStream("stock"), ExpectedRevision.NoStream, stock, Ct);
        await Store.AppendAsync(TestEvents.NewStream("order"), ExpectedRevision.NoStream, TestEvents.Events(3), Ct);

        Assert.Equal(stock.Select(e => e.EventId), (await follower.Take(2)).Select(e => e.EventId));
        await Task.Delay(200, Ct);
        Assert.False(follower.TryTake(out _));
    }
}
