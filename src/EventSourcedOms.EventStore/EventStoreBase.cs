using System.Runtime.CompilerServices;

namespace EventSourcedOms.EventStore;

/// <summary>
/// What every backend shares: input validation, the single-stream append as a one-stream multi-append, and the
/// catch-up-then-live subscription loop. A backend supplies the writes, the reads and the wake-up signal.
/// </summary>
public abstract class EventStoreBase : IEventStore, ISnapshotStore
{
    private protected EventStoreBase(EventStoreLimits limits, TimeProvider time, TimeSpan pollInterval)
    {
        limits.Validate();
        Limits = limits;
        Time = time;
        PollInterval = pollInterval;
    }

    public EventStoreLimits Limits { get; }
    private protected TimeProvider Time { get; }

    /// <summary>Live subscriptions wake on <see cref="Changes"/>; this is only the fallback for a wake-up that never came.</summary>
    private protected TimeSpan PollInterval { get; }

    private protected ChangeSignal Changes { get; } = new();

    /// <summary>Events per read while a subscription catches up.</summary>
    public int SubscriptionBatchSize { get; init; } = 1000;

    public async Task<AppendResult> AppendAsync(string stream, ExpectedRevision expectedRevision, IReadOnlyList<EventData> events, CancellationToken ct = default)
    {
        var result = await AppendMultipleAsync([new StreamAppend(stream, expectedRevision, events)], ct).ConfigureAwait(false);
        return result.Streams[0];
    }

    public async Task<MultiStreamAppendResult> AppendMultipleAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct = default)
    {
        var prepared = AppendValidator.Prepare(appends, Limits);
        var result = await AppendCoreAsync(prepared, ct).ConfigureAwait(false);
        Changes.Notify();
        return result;
    }

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromRevision, Direction direction, int maxCount, CancellationToken ct = default)
    {
        AppendValidator.ValidateStreamName(stream, "stream", Limits);
        AppendValidator.ValidateRead(maxCount);
        if (fromRevision < 0)
            throw new EventStoreValidationException("revision-invalid", "fromRevision", "A stream revision is 0 or more.");
        return ReadStreamCoreAsync(stream, fromRevision, direction, maxCount, ct);
    }

    public async Task<AllSlice> ReadAllAsync(long fromPosition, int maxCount, EventFilter? filter = null, CancellationToken ct = default)
    {
        AppendValidator.ValidateRead(maxCount);
        if (fromPosition < 0)
            throw new EventStoreValidationException("position-invalid", "fromPosition", "A position is 0 or more.");
        var heldFor = TimeSpan.Zero;
        while (true)
        {
            var seen = Changes.Version;
            var page = await ReadAllCoreAsync(fromPosition, maxCount, filter, ct).ConfigureAwait(false);
            if (!page.HeldBack || !page.Slice.IsEnd) return page.Slice;
            // Committed events wait behind an older, still open transaction: this is not the end of the log. Hand on
            // what was readable and let the caller come back, or, with nothing readable yet, wait for that transaction.
            if (page.Slice.Events.Count > 0) return page.Slice with { IsEnd = false };
            fromPosition = page.Slice.NextPosition;
            heldFor = LongerHold(heldFor);
            await Changes.WaitAsync(seen, heldFor, ct).ConfigureAwait(false);
        }
    }

    /// <summary>How long to wait before reading again while an older transaction holds events back: 1 ms, doubling up to 50 ms.</summary>
    static TimeSpan LongerHold(TimeSpan previous) =>
        previous == TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromTicks(Math.Min(previous.Ticks * 2, TimeSpan.FromMilliseconds(50).Ticks));

    public Task<StreamSnapshot?> ReadSnapshotAsync(string stream, CancellationToken ct = default)
    {
        AppendValidator.ValidateStreamName(stream, "stream", Limits);
        return ReadSnapshotCoreAsync(stream, ct);
    }

    public Task<bool> SaveSnapshotAsync(StreamSnapshot snapshot, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        AppendValidator.ValidateStreamName(snapshot.Stream, "stream", Limits);
        if (snapshot.Revision < 0)
            throw new EventStoreValidationException("revision-invalid", "revision", "A snapshot is of an event: its revision is 0 or more.");
        if (string.IsNullOrWhiteSpace(snapshot.Type))
            throw new EventStoreValidationException("snapshot-type-required", "type", "A snapshot names its format.");
        if (snapshot.Data is null) throw new EventStoreValidationException("snapshot-data-required", "data", "A snapshot has data.");
        return SaveSnapshotCoreAsync(snapshot, ct);
    }

    private protected abstract Task<StreamSnapshot?> ReadSnapshotCoreAsync(string stream, CancellationToken ct);

    private protected abstract Task<bool> SaveSnapshotCoreAsync(StreamSnapshot snapshot, CancellationToken ct);

    public async IAsyncEnumerable<RecordedEvent> SubscribeToAll(FromAll from, EventFilter? filter = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        OnSubscribing();
        var heldFor = TimeSpan.Zero;
        var read = StartRead(from.After + 1);
        while (true)
        {
            var page = await read.Page.ConfigureAwait(false);
            var next = page.Slice.NextPosition;
            if (!page.Slice.IsEnd)
            {
                // Catching up: fetch the next page while the consumer works through this one.
                read = StartRead(next);
                foreach (var e in page.Slice.Events) yield return e;
                continue;
            }

            foreach (var e in page.Slice.Events) yield return e;
            ct.ThrowIfCancellationRequested();
            if (page.HeldBack)
            {
                // Committed events wait behind an older, still open transaction. Its commit may not signal us (it may
                // not be an append), so look again soon, backing off while it stays open.
                heldFor = LongerHold(heldFor);
                await Changes.WaitAsync(read.SeenVersion, heldFor, ct).ConfigureAwait(false);
            }
            else
            {
                heldFor = TimeSpan.Zero;
                await Changes.WaitAsync(read.SeenVersion, PollInterval, ct).ConfigureAwait(false);
            }
            read = StartRead(next);
        }

        // The change version is taken before the read starts: a commit signalled after it is never missed.
        (Task<AllPage> Page, long SeenVersion) StartRead(long position)
        {
            var seen = Changes.Version;
            return (Task.Run(() => ReadAllCoreAsync(position, SubscriptionBatchSize, filter, ct), ct), seen);
        }
    }

    /// <summary>A backend starts whatever brings wake-ups from other processes.</summary>
    private protected virtual void OnSubscribing()
    {
    }

    private protected abstract Task<MultiStreamAppendResult> AppendCoreAsync(PreparedAppend append, CancellationToken ct);

    private protected abstract Task<IReadOnlyList<RecordedEvent>> ReadStreamCoreAsync(string stream, long fromRevision, Direction direction, int maxCount, CancellationToken ct);

    private protected abstract Task<AllPage> ReadAllCoreAsync(long fromPosition, int maxCount, EventFilter? filter, CancellationToken ct);

    public abstract ValueTask DisposeAsync();
}

/// <param name="HeldBack">Committed events exist past the slice but may not be read yet, because an older transaction
/// could still commit an event before them (PostgreSQL). The reader must come back, not conclude it is at the end.</param>
internal readonly record struct AllPage(AllSlice Slice, bool HeldBack);
