using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Locations;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Application.Sessions;

public sealed class SessionOptions
{
    /// <summary>How long a cached state is used for reads without asking the store (see <see cref="StateCache"/>).</summary>
    public TimeSpan CacheTrust { get; set; } = TimeSpan.FromSeconds(1);

    public int CacheCapacity { get; set; } = 200_000;

    /// <summary>
    /// A stock stream's state is snapshotted each time it passes a multiple of this many events (0: never), so a cold
    /// process folds at most this many events per stock stream (see <see cref="StateSnapshots"/>).
    /// </summary>
    public int SnapshotEvery { get; set; } = 500;
}

/// <summary>Opens one <see cref="Session"/> per command attempt.</summary>
public sealed class SessionFactory(IEventStore store, TimeProvider time, SessionOptions options)
{
    readonly StateCache _cache = new(options.CacheCapacity);
    readonly StreamLocks _locks = new();

    public IEventStore Store => store;

    /// <summary>A session; with <paramref name="verify"/> every cached state is checked against the store before use.</summary>
    public Session Open(bool verify = false) => new(store, _cache, _locks, time, options, verify);

    /// <summary>The stream changed behind the cache's back: the next load reads what it has not seen.</summary>
    public void MarkStale(string stream) => _cache.MarkStale(stream);
}

/// <summary>
/// The unit of work of one command: loads each stream once, holds the stream locks the command asked for, and
/// commits every stream's decided events in one atomic multi-stream append, each with the revision its decision was
/// based on (plus the request's idempotency record). Nothing is written unless <see cref="CommitAsync"/> succeeds.
/// </summary>
public sealed class Session : IAsyncDisposable
{
    const int PageSize = 500;

    readonly IEventStore _store;
    readonly StateCache _cache;
    readonly StreamLocks _locks;
    readonly TimeProvider _time;
    readonly SessionOptions _options;
    readonly Dictionary<string, ILoaded> _loaded = new(StringComparer.Ordinal);
    readonly List<IAsyncDisposable> _held = [];
    readonly List<string> _trusted = [];
    readonly bool _verify;
    EventMetadata? _cause;

    internal Session(IEventStore store, StateCache cache, StreamLocks locks, TimeProvider time, SessionOptions options, bool verify)
    {
        _verify = verify;
        _store = store;
        _cache = cache;
        _locks = locks;
        _time = time;
        _options = options;
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>
    /// The command whose decisions follow: events applied from now on carry its metadata. Only needed when one session
    /// commits the decisions of several commands (a batch); otherwise the committing command's metadata is used.
    /// </summary>
    public void Cause(OmsCommand command, DateTimeOffset occurredAt) => _cause = MetadataOf(command, occurredAt);

    static EventMetadata MetadataOf(OmsCommand command, DateTimeOffset occurredAt) => new()
    {
        CorrelationId = command.CorrelationId,
        CausationId = command.RequestId,
        Actor = command.Actor,
        OccurredAt = occurredAt,
    };

    public Task<Loaded<OrderState>> Order(string orderId, CancellationToken ct) =>
        Load(Streams.Order(orderId), OrderState.Initial, (s, e) => s.When(e), cacheable: false, ct);

    /// <summary>An order that cannot exist yet (a freshly generated id): no read, and the append expects "no stream".</summary>
    public Loaded<OrderState> NewOrder(string orderId) => Track(new Loaded<OrderState>(Streams.Order(orderId), -1, 0, OrderState.Initial, (s, e) => s.When(e), false, () => _cause));

    public Task<Loaded<StockState>> Stock(string sku, string location, CancellationToken ct) =>
        Load(Streams.Stock(sku, location), StockState.Initial, (s, e) => s.When(e), cacheable: true, ct);

    public Task<Loaded<BackorderQueueState>> Backorders(string sku, CancellationToken ct) =>
        Load(Streams.Backorders(sku), BackorderQueueState.Initial, (s, e) => s.When(e), cacheable: true, ct);

    public Task<Loaded<LocationCatalog>> Locations(CancellationToken ct) =>
        Load(Streams.Locations, LocationCatalog.Initial, (s, e) => s.When(e), cacheable: true, ct);

    /// <summary>Streams this session took from the cache without asking the store.</summary>
    public IReadOnlyList<string> TrustedStreams => _trusted;

    /// <summary>
    /// Throws a conflict if the stream has moved past the revision it was loaded at. For decisions made on a stream
    /// before the locks were taken (an order read to learn which stock streams to lock): checked under the locks, so
    /// the stock-side decisions never run against an order that has changed meanwhile.
    /// </summary>
    public async Task EnsureUnchangedAsync<TState>(Loaded<TState> loaded, CancellationToken ct) where TState : class
    {
        var newer = await _store.ReadStreamAsync(loaded.Stream, loaded.Revision + 1, Direction.Forwards, 1, ct);
        if (newer.Count > 0)
            throw new WrongExpectedRevisionException(loaded.Stream,
                loaded.Revision < 0 ? ExpectedRevision.NoStream : ExpectedRevision.Exact(loaded.Revision), newer[0].Revision);
    }

    /// <summary>Takes the in-process locks of these streams (all at once, before loading them) until the session ends.</summary>
    public async Task LockAsync(IEnumerable<string> streams, CancellationToken ct) => _held.Add(await _locks.AcquireAsync(streams, ct));

    async Task<Loaded<TState>> Load<TState>(string stream, TState initial, Func<TState, object, TState> when, bool cacheable, CancellationToken ct)
        where TState : class
    {
        if (_loaded.TryGetValue(stream, out var existing)) return (Loaded<TState>)existing;

        var state = initial;
        long revision = -1, position = 0;
        var cached = false;
        if (cacheable && _cache.TryGet(stream, out var entry))
        {
            cached = true;
            (state, revision, position) = ((TState)entry.State, entry.Revision, entry.Position);
            var verify = _verify || CacheScope.Current?.Verify == true;
            if (!verify && !entry.Stale && _time.GetElapsedTime(entry.VerifiedAt) < _options.CacheTrust)
            {
                _trusted.Add(stream);
                CacheScope.Current?.Trusted.Add(stream);
                return Track(new Loaded<TState>(stream, revision, position, state, when, cacheable, () => _cause));
            }
        }

        // Cold: start from the stream's snapshot, if it has one this version reads.
        var snapshotted = cacheable && _options.SnapshotEvery > 0 && StateSnapshots.TypeOf<TState>() is not null && _store is ISnapshotStore;
        var snapshotAt = -1L;
        if (snapshotted && !cached && await SessionSnapshots.ReadAsync<TState>(_store, stream, ct) is var (restored, at, from))
            (state, revision, position, snapshotAt) = (restored, at, from, at);

        while (true)
        {
            var page = await _store.ReadStreamAsync(stream, revision + 1, Direction.Forwards, PageSize, ct);
            foreach (var recorded in page)
            {
                if (EventSerializer.Deserialize(recorded) is { } e) state = when(state, e);
                (revision, position) = (recorded.Revision, recorded.Position);
            }
            if (page.Count < PageSize) break;
        }
        // A long stream folded without a recent snapshot (the first cold load after an upgrade): keep one now.
        if (snapshotted && !cached && revision - snapshotAt >= _options.SnapshotEvery)
            await SessionSnapshots.SaveAsync(_store, stream, revision, position, state);
        if (cacheable) _cache.Put(stream, new StateCache.Entry(revision, position, state, _time.GetTimestamp()));
        return Track(new Loaded<TState>(stream, revision, position, state, when, cacheable, () => _cause));
    }

    Loaded<TState> Track<TState>(Loaded<TState> loaded) where TState : class
    {
        _loaded.Add(loaded.Stream, loaded);
        return loaded;
    }

    /// <summary>
    /// Appends every stream's pending events atomically and returns the command's result for <paramref name="primary"/>.
    /// A command that decided nothing writes nothing and reports the primary stream as it is.
    /// </summary>
    public async Task<CommandResult> CommitAsync<TState>(OmsCommand command, Loaded<TState> primary, string id, DateTimeOffset occurredAt,
        Func<TState, string?>? status, CancellationToken ct) where TState : class
    {
        if (command.ExpectedRevision is { } expected && expected != primary.Revision)
            throw new RevisionConflictException(primary.Stream, expected, primary.Revision);
        var result = new CommandResult(id, primary.Stream, primary.Revision + primary.Pending.Count, primary.Position, status?.Invoke(primary.State));
        var metadata = MetadataOf(command, occurredAt);
        List<RequestRecord> records = RequestScope.Current is { } request && request.RequestId == command.RequestId ? [new(request, result, metadata)] : [];
        // A command that changed nothing still claims its request id, so the id cannot be reused for another command.
        if (!_loaded.Values.Any(l => l.Pending.Count > 0) && records.Count == 0) return result;
        var (committed, _) = await CommitCoreAsync(metadata, records, ct);
        return result with { Position = committed.Position };
    }

    /// <summary>One command of a batch: its result before commit and its request (if it has an id).</summary>
    internal sealed record BatchMember(OmsCommand Command, RequestScope? Request, CommandResult Result, DateTimeOffset OccurredAt);

    /// <summary>
    /// Commits the decisions of several commands in one atomic append (each command's events carry its own metadata,
    /// see <see cref="Cause"/>) and returns each command's result, positioned at its own idempotency record or, without
    /// one, at its primary stream's last event.
    /// </summary>
    internal async Task<IReadOnlyList<CommandResult>> CommitBatchAsync(IReadOnlyList<BatchMember> members, CancellationToken ct)
    {
        var records = members.Where(m => m.Request is not null).Select(m => new RequestRecord(m.Request!, m.Result, MetadataOf(m.Command, m.OccurredAt))).ToList();
        var (committed, positions) = await CommitCoreAsync(EventMetadata.Empty, records, ct);
        return [.. members.Select(m => m.Result with
        {
            Position = m.Request is not null ? positions[RequestRecords.Stream(m.Request.RequestId)] : positions.GetValueOrDefault(m.Result.Stream, m.Result.Position),
        })];
    }

    sealed record RequestRecord(RequestScope Request, CommandResult Result, EventMetadata Metadata);

    async Task<(MultiStreamAppendResult, Dictionary<string, long>)> CommitCoreAsync(EventMetadata fallback, List<RequestRecord> records, CancellationToken ct)
    {
        var changed = _loaded.Values.Where(l => l.Pending.Count > 0).ToList();
        var appends = changed.Select(l => new StreamAppend(l.Stream,
                l.Revision < 0 ? ExpectedRevision.NoStream : ExpectedRevision.Exact(l.Revision),
                [.. l.Pending.Select((e, i) => EventSerializer.ToEventData(e, l.PendingMetadata[i] ?? fallback))]))
            .ToList();
        // Idempotency records go last, so a lone command's record sits at the commit's position (what a retry reports).
        appends.AddRange(records.Select(r => new StreamAppend(RequestRecords.Stream(r.Request.RequestId), ExpectedRevision.NoStream,
            [RequestRecords.Succeeded(r.Request.Command, r.Request.Fingerprint, r.Result with { Position = 0 }, r.Metadata)])));

        var committed = await AppendAsync(appends, changed, ct);
        for (var i = 0; i < changed.Count; i++)
            if (changed[i].Cacheable)
                _cache.Put(changed[i].Stream, new StateCache.Entry(committed.Streams[i].NextExpectedRevision, committed.Streams[i].Position,
                    changed[i].State, _time.GetTimestamp()));
        // Streams that passed a multiple of SnapshotEvery events keep a snapshot of their new state (after the commit:
        // never one of an append that did not happen).
        if (_options.SnapshotEvery > 0)
            for (var i = 0; i < changed.Count; i++)
                if (changed[i].Cacheable && (committed.Streams[i].NextExpectedRevision + 1) / _options.SnapshotEvery > (changed[i].Revision + 1) / _options.SnapshotEvery)
                    await changed[i].SnapshotAsync(_store, committed.Streams[i].NextExpectedRevision, committed.Streams[i].Position);
        var positions = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < appends.Count; i++) positions[appends[i].Stream] = committed.Streams[i].Position;
        return (committed, positions);
    }

    // An append whose outcome is unknown (the connection broke after sending) is retried as is: the same event ids make
    // the retry idempotent, so it either finds the first commit or writes once.
    async Task<MultiStreamAppendResult> AppendAsync(List<StreamAppend> appends, List<ILoaded> changed, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _store.AppendMultipleAsync(appends, ct);
            }
            catch (WrongExpectedRevisionException e)
            {
                // The store names the first stream that failed; any other cached stream of this append may be behind too.
                _cache.MarkStale(e.Stream);
                foreach (var l in changed) _cache.MarkStale(l.Stream);
                throw;
            }
            catch (EventStoreUnavailableException e) when (e.OutcomeUnknown && attempt < 3)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt * attempt), ct);
            }
            catch (EventStoreUnavailableException e) when (e.OutcomeUnknown)
            {
                foreach (var l in changed) _cache.Evict(l.Stream);
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var held in _held) await held.DisposeAsync();
        _held.Clear();
    }
}
