using System.Text;
using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.EventStore.Tests.Conformance;

public abstract partial class EventStoreConformance
{
    [Fact]
    public async Task appending_to_a_new_stream_returns_its_last_revision_and_global_position()
    {
        var stream = TestEvents.NewStream();

        var result = await Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(3), Ct);

        Assert.Equal(2, result.NextExpectedRevision);
        var read = await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 10, Ct);
        Assert.Equal([0L, 1L, 2L], read.Select(e => e.Revision));
        Assert.Equal(result.Position, read[^1].Position);
        Assert.True(read[0].Position < read[1].Position && read[1].Position < read[2].Position);
    }

    [Fact]
    public async Task appends_continue_the_revisions_and_positions_only_grow()
    {
        var stream = TestEvents.NewStream();
        var first = await Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(2), Ct);
        var other = await Store.AppendAsync(TestEvents.NewStream(), ExpectedRevision.NoStream, TestEvents.Events(1), Ct);

        var second = await Store.AppendAsync(stream, ExpectedRevision.Exact(1), TestEvents.Events(2), Ct);

        Assert.Equal(3, second.NextExpectedRevision);
        Assert.True(first.Position < other.Position && other.Position < second.Position);
    }

    [Fact]
    public async Task no_stream_on_an_existing_stream_is_rejected_with_the_actual_revision()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(2), Ct);

        var error = await Assert.ThrowsAsync<WrongExpectedRevisionException>(() =>
            Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(1), Ct));

        Assert.Equal(stream, error.Stream);
        Assert.Equal(ExpectedRevision.NoStream, error.ExpectedRevision);
        Assert.Equal(1, error.ActualRevision);
        Assert.Equal("wrong-expected-revision", error.Code);
        Assert.Equal(2, (await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 10, Ct)).Count);
    }

    [Fact]
    public async Task stream_exists_on_a_missing_stream_is_rejected_and_creates_nothing()
    {
        var stream = TestEvents.NewStream();

        var error = await Assert.ThrowsAsync<WrongExpectedRevisionException>(() =>
            Store.AppendAsync(stream, ExpectedRevision.StreamExists, TestEvents.Events(1), Ct));

        Assert.Equal(-1, error.ActualRevision);
        Assert.Empty(await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 10, Ct));
    }

    [Fact]
    public async Task a_stale_exact_revision_is_rejected_naming_stream_expected_and_actual_revision()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(3), Ct);

        var error = await Assert.ThrowsAsync<WrongExpectedRevisionException>(() =>
            Store.AppendAsync(stream, ExpectedRevision.Exact(1), TestEvents.Events(1), Ct));

        Assert.Equal((stream, ExpectedRevision.Exact(1), 2L), (error.Stream, error.ExpectedRevision, error.ActualRevision));
        Assert.Contains(stream, error.Message);
    }

    [Fact]
    public async Task an_exact_revision_on_a_missing_stream_is_rejected()
    {
        var error = await Assert.ThrowsAsync<WrongExpectedRevisionException>(() =>
            Store.AppendAsync(TestEvents.NewStream(), ExpectedRevision.Exact(0), TestEvents.Events(1), Ct));

        Assert.Equal(-1, error.ActualRevision);
    }

    [Fact]
    public async Task any_and_stream_exists_append_whatever_the_current_revision()
    {
        var stream = TestEvents.NewStream();

        var created = await Store.AppendAsync(stream, ExpectedRevision.Any, TestEvents.Events(1), Ct);
        var more = await Store.AppendAsync(stream, ExpectedRevision.Any, TestEvents.Events(2), Ct);
        var exists = await Store.AppendAsync(stream, ExpectedRevision.StreamExists, TestEvents.Events(1), Ct);

        Assert.Equal([0L, 2L, 3L], [created.NextExpectedRevision, more.NextExpectedRevision, exists.NextExpectedRevision]);
    }

    [Fact]
    public async Task an_event_round_trips_its_id_type_data_metadata_and_the_store_records_its_own_time()
    {
        var recordedAt = new DateTimeOffset(2026, 11, 26, 10, 15, 30, 123, TimeSpan.Zero);
        var store = await OpenAsync(time: new FixedTime(recordedAt));
        var occurredAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var metadata = new EventMetadata
        {
            CorrelationId = "req-42",
            CausationId = "cmd-7",
            Actor = "user:alice",
            OccurredAt = occurredAt,
            Headers = new Dictionary<string, string> { ["channel"] = "web" },
        };
        var json = """{"orderId":"o-1","lines":[{"sku":"SKU-1","quantity":2,"unitPrice":19.99}],"note":"Grüße ✓"}""";
        var sent = EventData.FromJson(Guid.CreateVersion7(), "OrderPlaced.v1", json, metadata);
        var stream = TestEvents.NewStream();

        await store.AppendAsync(stream, ExpectedRevision.NoStream, [sent], Ct);

        var got = Assert.Single(await store.ReadStreamAsync(stream, 0, Direction.Forwards, 10, Ct));
        Assert.Equal((sent.EventId, "OrderPlaced.v1", stream, 0L), (got.EventId, got.Type, got.Stream, got.Revision));
        Assert.Equal(json, Encoding.UTF8.GetString(got.Data.Span));
        Assert.Equal(("req-42", "cmd-7", "user:alice", occurredAt), (got.Metadata.CorrelationId, got.Metadata.CausationId, got.Metadata.Actor, got.Metadata.OccurredAt));
        Assert.Equal("web", got.Metadata.Headers!["channel"]);
        Assert.Equal(recordedAt, got.RecordedAt);
    }
}
