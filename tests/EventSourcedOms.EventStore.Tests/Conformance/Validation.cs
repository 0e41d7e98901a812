using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.EventStore.Tests.Conformance;

public abstract partial class EventStoreConformance
{
    [Theory]
    [InlineData("empty stream name", "stream-name-empty", "stream")]
    [InlineData("over-long stream name", "stream-name-too-long", "stream")]
    [InlineData("space in stream name", "stream-name-invalid", "stream")]
    [InlineData("slash in stream name", "stream-name-invalid", "stream")]
    [InlineData("system stream name", "stream-name-invalid", "stream")]
    [InlineData("non-ASCII stream name", "stream-name-invalid", "stream")]
    [InlineData("newline in stream name", "stream-name-invalid", "stream")]
    [InlineData("empty type", "event-type-empty", "events[0].type")]
    [InlineData("space in type", "event-type-invalid", "events[0].type")]
    [InlineData("data is an array", "event-data-not-json-object", "events[1].data")]
    [InlineData("data is not JSON", "event-data-not-json-object", "events[1].data")]
    [InlineData("data is empty", "event-data-not-json-object", "events[1].data")]
    [InlineData("data is truncated JSON", "event-data-not-json-object", "events[1].data")]
    [InlineData("data is two JSON objects", "event-data-not-json-object", "events[1].data")]
    [InlineData("data is invalid UTF-8", "event-data-not-json-object", "events[1].data")]
    [InlineData("data has an escaped lone surrogate", "event-data-not-json-object", "events[1].data")]
    [InlineData("data has an escaped NUL", "event-data-not-json-object", "events[1].data")]
    [InlineData("metadata has a NUL", "event-metadata-invalid", "events[0].metadata")]
    [InlineData("expected revision left unset", "expected-revision-missing", "expectedRevision")]
    [InlineData("event over the size limit", "event-too-large", "events[0]")]
    [InlineData("more events than allowed", "too-many-events", "events")]
    [InlineData("no events", "append-empty", "events")]
    [InlineData("empty event id", "event-id-empty", "events[1].eventId")]
    [InlineData("event id twice in a batch", "event-id-repeated", "events[1].eventId")]
    [InlineData("stream twice in a multi-stream append", "stream-repeated", "appends[1].stream")]
    [InlineData("bad stream in a multi-stream append", "stream-name-invalid", "appends[1].stream")]
    public async Task bad_input_gets_a_typed_error_naming_the_field_and_leaves_the_store_unchanged(string @case, string code, string field)
    {
        var existing = TestEvents.NewStream();
        await Store.AppendAsync(existing, ExpectedRevision.NoStream, TestEvents.Events(2), Ct);
        var before = await Store.ReadAllEvents(expectAtLeast: 2);

        var error = await Assert.ThrowsAsync<EventStoreValidationException>(() => Store.AppendMultipleAsync(BadAppend(@case, existing), Ct));

        Assert.Equal(code, error.Code);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(field + ": ", error.Message);
        var after = await Store.ReadAllEvents(expectAtLeast: 2);
        Assert.Equal(before.Select(e => e.EventId), after.Select(e => e.EventId));
    }

    static StreamAppend[] BadAppend(string @case, string existing)
    {
        var good = TestEvents.Event();
        StreamAppend One(string stream, params EventData[] events) => new(stream, ExpectedRevision.Any, events);
        EventData Data(string json) => TestEvents.Event(json: json);
        return @case switch
        {
            "empty stream name" => [One("", good)],
            "over-long stream name" => [One("order-" + new string('x', 195), good)],
            "space in stream name" => [One("order 1", good)],
            "slash in stream name" => [One("order/1", good)],
            "system stream name" => [One("$all", good)],
            "non-ASCII stream name" => [One("ordér-1", good)],
            "newline in stream name" => [One("order-1\n", good)],
            "empty type" => [One(existing, TestEvents.Event(type: ""))],
            "space in type" => [One(existing, TestEvents.Event(type: "Order Placed"))],
            "data is an array" => [One(existing, good, Data("[1,2]"))],
            "data is not JSON" => [One(existing, good, Data("order placed"))],
            "data is empty" => [One(existing, good, Data(""))],
            "data is truncated JSON" => [One(existing, good, Data("""{"sku":"""))],
            "data is two JSON objects" => [One(existing, good, Data("{} {}"))],
            "data is invalid UTF-8" => [One(existing, good, new EventData(Guid.NewGuid(), "T.v1", new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' }))],
            "data has an escaped lone surrogate" => [One(existing, good, Data("""{"name":"\ud800"}"""))],
            "data has an escaped NUL" => [One(existing, good, Data("""{"name":"a\u0000b"}"""))],
            "metadata has a NUL" => [One(existing, TestEvents.Event(metadata: new EventMetadata { CorrelationId = "a\0b" }))],
            "expected revision left unset" => [new StreamAppend(existing, default, [good])],
            "event over the size limit" => [One(existing, Data($$"""{"blob":"{{new string('x', 1024 * 1024)}}"}"""))],
            "more events than allowed" => [One(existing, TestEvents.Events(new EventStoreLimits().MaxEventsPerAppend + 1))],
            "no events" => [One(existing)],
            "empty event id" => [One(existing, good, new EventData(Guid.Empty, "T.v1", "{}"u8.ToArray()))],
            "event id twice in a batch" => [One(existing, good, good)],
            "stream twice in a multi-stream append" => [One(existing, good), One(existing, TestEvents.Event())],
            "bad stream in a multi-stream append" => [One(existing, good), One("stock/1", TestEvents.Event())],
            _ => throw new ArgumentOutOfRangeException(nameof(@case), @case, null),
        };
    }

    [Fact]
    public async Task the_limits_are_configurable()
    {
        var store = await OpenAsync(new EventStoreLimits { MaxEventBytes = 1000, MaxEventsPerAppend = 3 });
        var stream = TestEvents.NewStream();

        await Assert.ThrowsAsync<EventStoreValidationException>(() => store.AppendAsync(stream, ExpectedRevision.Any, TestEvents.Events(4), Ct));
        await Assert.ThrowsAsync<EventStoreValidationException>(() =>
            store.AppendAsync(stream, ExpectedRevision.Any, [TestEvents.Event(json: $$"""{"x":"{{new string('x', 1000)}}"}""")], Ct));
        var ok = await store.AppendAsync(stream, ExpectedRevision.Any, TestEvents.Events(3), Ct);

        Assert.Equal(2, ok.NextExpectedRevision);
    }

    [Fact]
    public async Task bad_read_arguments_get_typed_errors()
    {
        await Assert.ThrowsAsync<EventStoreValidationException>(() => Store.ReadStreamAsync("bad stream", 0, Direction.Forwards, 10, Ct));
        await Assert.ThrowsAsync<EventStoreValidationException>(() => Store.ReadStreamAsync("order-1", -1, Direction.Forwards, 10, Ct));
        await Assert.ThrowsAsync<EventStoreValidationException>(() => Store.ReadStreamAsync("order-1", 0, Direction.Forwards, 0, Ct));
        await Assert.ThrowsAsync<EventStoreValidationException>(() => Store.ReadAllAsync(-5, 10, null, Ct));
        await Assert.ThrowsAsync<EventStoreValidationException>(() => Store.ReadAllAsync(0, 0, null, Ct));
    }
}
