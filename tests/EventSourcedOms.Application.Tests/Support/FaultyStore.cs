using EventSourcedOms.EventStore;

namespace EventSourcedOms.Application.Tests.Support;

/// <summary>
/// A real store with faults injected on demand: appends that fail before reaching it (an outage), an append that
/// commits and then reports an unknown outcome (a connection lost after COMMIT), slow appends, and a pause after the
/// first read of one stream (to force an interleaving).
/// </summary>
public sealed class FaultyStore(IEventStore inner) : IEventStore
{
    string? _gateStream;
    public TaskCompletionSource Paused { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Release { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void PauseAfterFirstRead(string stream)
    {
        _gateStream = stream;
        Paused = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The first append touching at least this many order streams commits and then reports OutcomeUnknown; its retries report it again without reaching the store.</summary>
    public int UnknownAfterCommitWhenOrders { get; set; }
    int _unknownRetries;
    public int AppendDelayMs { get; set; }
    public int BatchesHit;

    /// <summary>This many next multi-stream appends fail before reaching the store, as when the database is down.</summary>
    public int FailNextAppends { get; set; }

    public Task<AppendResult> AppendAsync(string stream, ExpectedRevision expectedRevision, IReadOnlyList<EventData> events, CancellationToken ct = default) =>
        inner.AppendAsync(stream, expectedRevision, events, ct);

    public async Task<MultiStreamAppendResult> AppendMultipleAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct = default)
    {
        if (AppendDelayMs > 0) await Task.Delay(AppendDelayMs, ct);
        if (FailNextAppends > 0)
        {
            FailNextAppends--;
            throw new EventStoreUnavailableException("injected outage", new IOException("connection refused"), outcomeUnknown: false);
        }
        if (_unknownRetries > 0)
        {
            _unknownRetries--;
            throw new EventStoreUnavailableException("still down", new IOException("reset"), outcomeUnknown: true);
        }
        if (UnknownAfterCommitWhenOrders > 0 && appends.Count(a => a.Stream.StartsWith("order-", StringComparison.Ordinal)) >= UnknownAfterCommitWhenOrders)
        {
            UnknownAfterCommitWhenOrders = 0;
            BatchesHit++;
            await inner.AppendMultipleAsync(appends, ct);
            _unknownRetries = 2;
            throw new EventStoreUnavailableException("connection reset after commit", new IOException("reset"), outcomeUnknown: true);
        }
        return await inner.AppendMultipleAsync(appends, ct);
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromRevision, Direction direction, int maxCount, CancellationToken ct = default)
    {
        var result = await inner.ReadStreamAsync(stream, fromRevision, direction, maxCount, ct);
        if (_gateStream == stream)
        {
            _gateStream = null;
            Paused.TrySetResult();
            await Release.Task;
        }
        return result;
    }

    public Task<AllSlice> ReadAllAsync(long fromPosition, int maxCount, EventFilter? filter = null, CancellationToken ct = default) =>
        inner.ReadAllAsync(fromPosition, maxCount, filter, ct);

    public IAsyncEnumerable<RecordedEvent> SubscribeToAll(FromAll from, EventFilter? filter = null, CancellationToken ct = default) =>
        inner.SubscribeToAll(from, filter, ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
