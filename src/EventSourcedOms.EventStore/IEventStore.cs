namespace EventSourcedOms.EventStore;

/// <summary>
/// The event store contract, shaped on EventStoreDB so that callers never see which backend runs underneath.
/// Every method validates its input first and throws an <see cref="EventStoreException"/> subtype on any failure:
/// a failed call has written nothing, except <see cref="EventStoreUnavailableException"/> with
/// <see cref="EventStoreUnavailableException.OutcomeUnknown"/> set, which a retry with the same event ids settles.
/// Cancelling an append that has already reached the database is like that too: it may have committed.
/// </summary>
public interface IEventStore : IAsyncDisposable
{
    Task<AppendResult> AppendAsync(string stream, ExpectedRevision expectedRevision, IReadOnlyList<EventData> events, CancellationToken ct = default);

    /// <summary>Appends to several streams in one commit, each with its own expected revision: all or nothing.</summary>
    Task<MultiStreamAppendResult> AppendMultipleAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct = default);

    /// <summary>
    /// Up to <paramref name="maxCount"/> events of one stream starting at <paramref name="fromRevision"/> (inclusive);
    /// backwards from <c>long.MaxValue</c> reads from the end. A stream that does not exist reads as empty.
    /// </summary>
    Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromRevision, Direction direction, int maxCount, CancellationToken ct = default);

    /// <summary>
    /// Events of all streams in global order from <paramref name="fromPosition"/> (inclusive). <see cref="AllSlice.IsEnd"/>
    /// means every committed event has been returned: where committed events wait behind an older transaction that is
    /// still open (PostgreSQL), the slice ends before them without claiming the end, and a read with nothing readable
    /// yet waits for that transaction.
    /// </summary>
    Task<AllSlice> ReadAllAsync(long fromPosition, int maxCount, EventFilter? filter = null, CancellationToken ct = default);

    /// <summary>Catches up from <paramref name="from"/>, then follows new events live until cancelled.</summary>
    IAsyncEnumerable<RecordedEvent> SubscribeToAll(FromAll from, EventFilter? filter = null, CancellationToken ct = default);
}
