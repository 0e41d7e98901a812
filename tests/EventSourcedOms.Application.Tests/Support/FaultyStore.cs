using EventSourcedOms.EventStore;

namespace EventSourcedOms.Application.Tests.Support;

/// <summary>A real store whose next multi-stream append fails before reaching it, as when the database is down.</summary>
public sealed class FaultyStore(IEventStore inner) : IEventStore
{
    public int FailNextAppends { get; set; }

    public Task<AppendResult> AppendAsync(string stream, ExpectedRevision expectedRevision, IReadOnlyList<EventData> events, CancellationToken ct = default) =>
        inner.AppendAsync(stream, expectedRevision, events, ct);

    public Task<MultiStreamAppendResult> AppendMultipleAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct = default)
    {
        if (FailNextAppends > 0)
        {
            FailNextAppends--;
            throw new EventStoreUnavailableException("injected outage", new IOException("connection refused"), outcomeUnknown: false);
        }
        return inner.AppendMultipleAsync(appends, ct);
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromRevision, Direction direction, int maxCount, CancellationToken ct = default) =>
        inner.ReadStreamAsync(stream, fromRevision, direction, maxCount, ct);

    public Task<AllSlice> ReadAllAsync(long fromPosition, int maxCount, EventFilter? filter = null, CancellationToken ct = default) =>
        inner.ReadAllAsync(fromPosition, maxCount, filter, ct);

    public IAsyncEnumerable<RecordedEvent> SubscribeToAll(FromAll from, EventFilter? filter = null, CancellationToken ct = default) =>
        inner.SubscribeToAll(from, filter, ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
