using System.Collections.Concurrent;
using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.EventStore.Tests.Conformance;

public abstract partial class EventStoreConformance
{
    [Fact]
    public async Task fifty_racers_on_one_stream_with_exact_revisions_win_once_per_revision_without_gaps_or_losses()
    {
        const int racers = 50, rounds = 12;
        var stream = TestEvents.NewStream();
        var acknowledged = new ConcurrentBag<(Guid EventId, long Revision, long Position)>();

        for (var round = 0; round < rounds; round++)
        {
            var expected = round == 0 ? ExpectedRevision.NoStream : ExpectedRevision.Exact(round - 1);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var attempts = Enumerable.Range(0, racers).Select(_ => Task.Run(async () =>
            {
                var e = TestEvents.Event();
                await start.Task;
                try
                {
                    var result = await Store.AppendAsync(stream, expected, [e], Ct);
                    acknowledged.Add((e.EventId, result.NextExpectedRevision, result.Position));
                    return true;
                }
                catch (WrongExpectedRevisionException conflict)
                {
                    Assert.Equal(round, conflict.ActualRevision);
                    return false;
                }
            }, Ct)).ToArray();
            start.SetResult();

            Assert.Single(await Task.WhenAll(attempts), won => won);
        }

        var events = await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 1000, Ct);
        Assert.Equal(Enumerable.Range(0, rounds).Select(r => (long)r), events.Select(e => e.Revision));
        Assert.Equal(
            acknowledged.OrderBy(a => a.Revision).Select(a => (a.EventId, a.Revision, a.Position)),
            events.Select(e => (e.EventId, e.Revision, e.Position)));
    }

    [Fact]
    public async Task racers_retrying_with_fresh_revisions_lose_no_acknowledged_append()
    {
        // The retry loop every command handler runs: read, decide, append at the revision read; on conflict, again.
        const int racers = 50, appendsEach = 4;
        var stream = TestEvents.NewStream();
        var acknowledged = new ConcurrentBag<Guid>();

        await Task.WhenAll(Enumerable.Range(0, racers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < appendsEach; i++)
            {
                var e = TestEvents.Event();
                while (true)
                {
                    var last = await Store.ReadStreamAsync(stream, long.MaxValue, Direction.Backwards, 1, Ct);
                    var expected = last.Count == 0 ? ExpectedRevision.NoStream : ExpectedRevision.Exact(last[0].Revision);
                    try
                    {
                        await Store.AppendAsync(stream, expected, [e], Ct);
                        acknowledged.Add(e.EventId);
                        break;
                    }
                    catch (WrongExpectedRevisionException)
                    {
                    }
                }
            }
        }, Ct)));

        var events = await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 10_000, Ct);
        Assert.Equal(Enumerable.Range(0, racers * appendsEach).Select(r => (long)r), events.Select(e => e.Revision));
        Assert.Equal(acknowledged.Order(), events.Select(e => e.EventId).Order());
    }

    [Fact]
    public async Task thirty_two_writers_and_a_live_subscriber_from_the_start_see_every_acknowledged_event_once_in_stream_order()
    {
        const int writers = 32, appendsEach = 15;
        var acknowledged = new ConcurrentDictionary<Guid, string>();
        var received = new List<RecordedEvent>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriber = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in Store.SubscribeToAll(FromAll.Start, null, stop.Token))
                {
                    lock (received)
                    {
                        received.Add(e);
                        if (writing.Task.IsCompleted && received.Count >= acknowledged.Count) allSeen.TrySetResult();
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }, Ct);

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var stream = TestEvents.NewStream(w % 2 == 0 ? "order" : "stock");
            for (var i = 0; i < appendsEach; i++)
            {
                var events = TestEvents.Events(1 + i % 3);
                await Store.AppendAsync(stream, i == 0 ? ExpectedRevision.NoStream : ExpectedRevision.StreamExists, events, Ct);
                foreach (var e in events) acknowledged[e.EventId] = stream;
            }
        }, Ct)));
        lock (received)
        {
            writing.SetResult();
            if (received.Count >= acknowledged.Count) allSeen.TrySetResult();
        }
        await allSeen.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await Task.Delay(100, Ct); // anything delivered twice would arrive now
        await stop.CancelAsync();
        await subscriber;

        Assert.Equal(acknowledged.Count, received.Count);
        Assert.Equal(acknowledged.Keys.Order(), received.Select(e => e.EventId).Order());
        Assert.Equal(received.Select(e => e.Position).Order(), received.Select(e => e.Position));
        foreach (var stream in received.GroupBy(e => e.Stream))
            Assert.Equal(Enumerable.Range(0, stream.Count()).Select(r => (long)r), stream.Select(e => e.Revision));
    }
}
