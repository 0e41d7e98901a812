using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.EventStore.Tests.Conformance;

public abstract partial class EventStoreConformance
{
    [Fact]
    public async Task a_multi_stream_append_commits_every_stream_with_its_own_expected_revision()
    {
        var order = TestEvents.NewStream("order");
        var stock = TestEvents.NewStream("stock");
        await Store.AppendAsync(stock, ExpectedRevision.NoStream, TestEvents.Events(2, "StockReceived.v1"), Ct);

        var result = await Store.AppendMultipleAsync(
        [
            new StreamAppend(order, ExpectedRevision.NoStream, TestEvents.Events(2, "OrderPlaced.v1")),
            new StreamAppend(stock, ExpectedRevision.Exact(1), TestEvents.Events(1, "StockReserved.v1")),
        ], Ct);

        Assert.Equal([1L, 2L], result.Streams.Select(s => s.NextExpectedRevision));
        Assert.Equal(result.Position, result.Streams.Max(s => s.Position));
        var orderEvents = await Store.ReadStreamAsync(order, 0, Direction.Forwards, 10, Ct);
        var stockEvents = await Store.ReadStreamAsync(stock, 0, Direction.Forwards, 10, Ct);
        Assert.Equal(result.Streams[0].Position, orderEvents[^1].Position);
        Assert.Equal(result.Streams[1].Position, stockEvents[^1].Position);
        Assert.Equal("StockReserved.v1", stockEvents[^1].Type);
    }

    [Fact]
    public async Task a_multi_stream_append_writes_nothing_when_one_expectation_fails()
    {
        var order = TestEvents.NewStream("order");
        var stock = TestEvents.NewStream("stock");
        await Store.AppendAsync(stock, ExpectedRevision.NoStream, TestEvents.Events(3), Ct);

        var error = await Assert.ThrowsAsync<WrongExpectedRevisionException>(() => Store.AppendMultipleAsync(
        [
            new StreamAppend(order, ExpectedRevision.NoStream, TestEvents.Events(2)),
            new StreamAppend(stock, ExpectedRevision.Exact(1), TestEvents.Events(1)),
        ], Ct));

        Assert.Equal((stock, 2L), (error.Stream, error.ActualRevision));
        Assert.Empty(await Store.ReadStreamAsync(order, 0, Direction.Forwards, 10, Ct));
        Assert.Equal(3, (await Store.ReadStreamAsync(stock, 0, Direction.Forwards, 10, Ct)).Count);
    }

    [Fact]
    public async Task a_multi_stream_append_writes_nothing_when_one_stream_reuses_a_stored_event_id()
    {
        var stored = TestEvents.Events(1);
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedRevision.NoStream, stored, Ct);
        var order = TestEvents.NewStream("order");
        var stock = TestEvents.NewStream("stock");

        await Assert.ThrowsAsync<DuplicateEventIdException>(() => Store.AppendMultipleAsync(
        [
            new StreamAppend(order, ExpectedRevision.NoStream, TestEvents.Events(2)),
            new StreamAppend(stock, ExpectedRevision.NoStream, stored),
        ], Ct));

        Assert.Empty(await Store.ReadStreamAsync(order, 0, Direction.Forwards, 10, Ct));
        Assert.Empty(await Store.ReadStreamAsync(stock, 0, Direction.Forwards, 10, Ct));
    }

    [Fact]
    public async Task retrying_a_multi_stream_append_returns_the_original_result()
    {
        var appends = new[]
        {
            new StreamAppend(TestEvents.NewStream("order"), ExpectedRevision.NoStream, TestEvents.Events(2)),
            new StreamAppend(TestEvents.NewStream("stock"), ExpectedRevision.NoStream, TestEvents.Events(1)),
        };
        var original = await Store.AppendMultipleAsync(appends, Ct);

        var retried = await Store.AppendMultipleAsync(appends, Ct);

        Assert.Equal(original.Streams, retried.Streams);
        Assert.Equal(original.Position, retried.Position);
        Assert.Equal(3, (await Store.ReadAllEvents(expectAtLeast: 3)).Count);
    }

    [Fact]
    public async Task multi_stream_appends_racing_on_shared_streams_never_half_commit()
    {
        // Orders reserve from two stock streams each, in opposite orders, all at once: every append lands whole or
        // not at all, and no two appends deadlock each other.
        var stockA = TestEvents.NewStream("stock");
        var stockB = TestEvents.NewStream("stock");
        await Store.AppendAsync(stockA, ExpectedRevision.NoStream, TestEvents.Events(1), Ct);
        await Store.AppendAsync(stockB, ExpectedRevision.NoStream, TestEvents.Events(1), Ct);

        var tasks = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var (first, second) = i % 2 == 0 ? (stockA, stockB) : (stockB, stockA);
            var order = TestEvents.NewStream("order");
            try
            {
                await Store.AppendMultipleAsync(
                [
                    new StreamAppend(order, ExpectedRevision.NoStream, TestEvents.Events(1)),
                    new StreamAppend(first, ExpectedRevision.StreamExists, TestEvents.Events(1)),
                    new StreamAppend(second, ExpectedRevision.StreamExists, TestEvents.Events(1)),
                ], Ct);
                return order;
            }
            catch (EventStoreUnavailableException)
            {
                return null;
            }
        }, Ct)).ToArray();
        var written = (await Task.WhenAll(tasks)).OfType<string>().ToList();

        Assert.NotEmpty(written);
        var a = await Store.ReadStreamAsync(stockA, 0, Direction.Forwards, 1000, Ct);
        var b = await Store.ReadStreamAsync(stockB, 0, Direction.Forwards, 1000, Ct);
        Assert.Equal(written.Count + 1, a.Count);
        Assert.Equal(written.Count + 1, b.Count);
        foreach (var order in written)
            Assert.Single(await Store.ReadStreamAsync(order, 0, Direction.Forwards, 10, Ct));
    }
}
