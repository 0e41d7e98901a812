using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.EventStore.Tests.Conformance;

public abstract partial class EventStoreConformance
{
    [Fact]
    public async Task retrying_an_identical_batch_at_the_same_exact_revision_returns_the_original_result_and_writes_nothing()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(2), Ct);
        var batch = TestEvents.Events(3);
        var original = await Store.AppendAsync(stream, ExpectedRevision.Exact(1), batch, Ct);
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedRevision.NoStream, TestEvents.Events(1), Ct);

        var retried = await Store.AppendAsync(stream, ExpectedRevision.Exact(1), batch, Ct);

        Assert.Equal(original, retried);
        Assert.Equal(5, (await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 100, Ct)).Count);
        Assert.Equal(6, (await Store.ReadAllEvents(expectAtLeast: 6)).Count);
    }

    [Fact]
    public async Task retrying_a_create_with_no_stream_or_an_append_with_any_is_idempotent_too()
    {
        var stream = TestEvents.NewStream();
        var created = TestEvents.Events(2);
        var appended = TestEvents.Events(1);
        var first = await Store.AppendAsync(stream, ExpectedRevision.NoStream, created, Ct);
        var second = await Store.AppendAsync(stream, ExpectedRevision.Any, appended, Ct);

        Assert.Equal(first, await Store.AppendAsync(stream, ExpectedRevision.NoStream, created, Ct));
        Assert.Equal(second, await Store.AppendAsync(stream, ExpectedRevision.Any, appended, Ct));
        Assert.Equal(3, (await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 100, Ct)).Count);
    }

    [Fact]
    public async Task a_batch_that_partially_overlaps_written_event_ids_is_a_conflict_and_writes_nothing()
    {
        var stream = TestEvents.NewStream();
        var written = TestEvents.Events(2);
        await Store.AppendAsync(stream, ExpectedRevision.NoStream, written, Ct);
        var overlapping = new[] { written[1], TestEvents.Event() };

        var error = await Assert.ThrowsAsync<DuplicateEventIdException>(() =>
            Store.AppendAsync(stream, ExpectedRevision.Exact(0), overlapping, Ct));

        Assert.Equal([written[1].EventId], error.ExistingEventIds);
        Assert.Equal("duplicate-event-id", error.Code);
        var events = await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 100, Ct);
        Assert.Equal(written.Select(e => e.EventId), events.Select(e => e.EventId));
    }

    [Fact]
    public async Task reusing_an_event_id_on_another_stream_is_a_conflict()
    {
        var written = TestEvents.Events(1);
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedRevision.NoStream, written, Ct);
        var other = TestEvents.NewStream();

        await Assert.ThrowsAsync<DuplicateEventIdException>(() => Store.AppendAsync(other, ExpectedRevision.Any, written, Ct));

        Assert.Empty(await Store.ReadStreamAsync(other, 0, Direction.Forwards, 10, Ct));
    }

    [Fact]
    public async Task the_same_events_sent_with_an_expectation_they_could_not_have_met_are_a_conflict_not_a_retry()
    {
        var stream = TestEvents.NewStream();
        var batch = TestEvents.Events(2);
        await Store.AppendAsync(stream, ExpectedRevision.NoStream, batch, Ct);
        await Store.AppendAsync(stream, ExpectedRevision.Exact(1), TestEvents.Events(1), Ct);

        await Assert.ThrowsAsync<DuplicateEventIdException>(() => Store.AppendAsync(stream, ExpectedRevision.Exact(2), batch, Ct));
        await Assert.ThrowsAsync<DuplicateEventIdException>(() => Store.AppendAsync(stream, ExpectedRevision.StreamExists, batch, Ct));
        Assert.Equal(3, (await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 100, Ct)).Count);
    }

    [Fact]
    public async Task concurrent_retries_of_one_batch_write_it_once_and_all_get_the_original_result()
    {
        var stream = TestEvents.NewStream();
        var batch = TestEvents.Events(3);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await Store.AppendAsync(stream, ExpectedRevision.NoStream, batch, Ct);
        }, Ct)).ToArray();

        start.SetResult();
        var results = await Task.WhenAll(tasks);

        Assert.Single(results.Distinct());
        Assert.Equal(batch.Select(e => e.EventId), (await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 100, Ct)).Select(e => e.EventId));
    }

    [Fact]
    public async Task events_written_by_separate_appends_are_not_mistaken_for_one_retried_append()
    {
        var stream = TestEvents.NewStream();
        var (first, second) = (TestEvents.Event(), TestEvents.Event());
        await Store.AppendAsync(stream, ExpectedRevision.NoStream, [first], Ct);
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedRevision.NoStream, TestEvents.Events(1), Ct);
        await Store.AppendAsync(stream, ExpectedRevision.Exact(0), [second], Ct);

        await Assert.ThrowsAsync<DuplicateEventIdException>(() => Store.AppendAsync(stream, ExpectedRevision.NoStream, [first, second], Ct));
    }
}
