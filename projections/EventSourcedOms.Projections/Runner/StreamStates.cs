using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// The domain state of a stream right after a given event, for projectors whose rows are a function of the whole
/// aggregate (an order's status needs all its lines). Folded incrementally as events arrive in order; when the cache
/// does not hold the stream just before the event (a restart, an eviction, a replay), the stream is read from the
/// store up to that event's revision. Derived rows thus use the very rules of the domain, never a second copy.
/// Memory is bounded: of each kind of stream, the <paramref name="capacity"/> used most recently are kept (an order's
/// events come close together in the log, and stock streams are used all the time), and a miss only costs reading that one stream
/// (a stock stream from its snapshot on, when the store has one not past the event: <see cref="StateSnapshots"/>).
/// </summary>
public sealed class StreamStates(IEventStore store, int capacity = StreamStates.DefaultCapacity)
{
    /// <summary>Streams kept per kind of state (orders, stock, backorder queues); an order's state is a few KB, so three order projections keep ~50 MB at most.</summary>
    public const int DefaultCapacity = 4_096;

    // One cache per kind of state: orders come and go by the hundred thousand, while the few stock streams are used all
    // the time; in one shared cache the new orders pushed every stock stream out (a rebuild read ~180 stock streams back
    // from the store per 100,000 events, each up to its snapshot's 500 events).
    readonly Dictionary<Type, Recent> _kinds = [];

    public Task<OrderState> OrderAsync(RecordedEvent recorded, object @event, CancellationToken ct) =>
        FoldAsync(recorded, @event, OrderState.Initial, (s, e) => s.When(e), ct);

    public Task<StockState> StockAsync(RecordedEvent recorded, object @event, CancellationToken ct) =>
        FoldAsync(recorded, @event, StockState.Initial, (s, e) => s.When(e), ct);

    public Task<BackorderQueueState> BackordersAsync(RecordedEvent recorded, object @event, CancellationToken ct) =>
        FoldAsync(recorded, @event, BackorderQueueState.Initial, (s, e) => s.When(e), ct);

    async Task<TState> FoldAsync<TState>(RecordedEvent recorded, object @event, TState initial, Func<TState, object, TState> when, CancellationToken ct)
        where TState : class
    {
        if (!_kinds.TryGetValue(typeof(TState), out var recent)) _kinds[typeof(TState)] = recent = new Recent(capacity);
        TState state;
        var cached = recent.Find(recorded.Stream);
        if (cached?.Value.Revision == recorded.Revision)
            return (TState)cached.Value.State;  // another projection of a shared catch-up folded this very event
        if (recorded.Revision == 0)
            state = when(initial, @event);      // a stream's first event: nothing to read
        else if (cached?.Value.Revision == recorded.Revision - 1)
            state = when((TState)cached.Value.State, @event);
        else
        {
            state = initial;
            long from = 0;
            // A stock stream (thousands of events) starts from its snapshot when that is not past the event applied.
            if (StateSnapshots.TypeOf<TState>() is not null && store is ISnapshotStore snapshots
                && await snapshots.ReadSnapshotAsync(recorded.Stream, ct) is { } snapshot && snapshot.Revision <= recorded.Revision
                && StateSnapshots.Read<TState>(snapshot.Type, snapshot.Data) is { } restored)
                (state, from) = (restored, snapshot.Revision + 1);
            while (from <= recorded.Revision)
            {
                var page = await store.ReadStreamAsync(recorded.Stream, from, Direction.Forwards, (int)Math.Min(1000, recorded.Revision - from + 1), ct);
                if (page.Count == 0) break;
                foreach (var e in page)
                    if (EventTypes.Deserialize(e.Type, e.Data.Span) is { } domainEvent) state = when(state, domainEvent);
                from = page[^1].Revision + 1;
            }
        }
        recent.Keep(cached, recorded.Stream, recorded.Revision, state);
        return state;
    }

    /// <summary>
    /// Tells the cache the state of <paramref name="stream"/> right after its event <paramref name="revision"/>, as a
    /// projector's own rows recorded it: a stream not cached yet then folds on from there instead of being read from the
    /// store. The entry is keyed by revision, so it is only ever used for the events right after it.
    /// </summary>
    public void Seed<TState>(string stream, long revision, TState state) where TState : class
    {
        if (!_kinds.TryGetValue(typeof(TState), out var recent)) _kinds[typeof(TState)] = recent = new Recent(capacity);
        if (recent.Find(stream) is null) recent.Keep(null, stream, revision, state);
    }

    /// <summary>Streams of one kind the cache keeps.</summary>
    public int Capacity => capacity;

    /// <summary>Forgets everything (after a failed batch, whose events may not have been written).</summary>
    public void Clear() => _kinds.Clear();

    /// <summary>The <c>capacity</c> streams of one kind used most recently, each with its state after its latest event.</summary>
    sealed class Recent(int capacity)
    {
        readonly Dictionary<string, LinkedListNode<(string Stream, long Revision, object State)>> _states = new(StringComparer.Ordinal);
        readonly LinkedList<(string Stream, long Revision, object State)> _recent = new(); // most recently used first

        public LinkedListNode<(string Stream, long Revision, object State)>? Find(string stream) => _states.GetValueOrDefault(stream);

        /// <summary>Stores the state as the most recently used; <paramref name="node"/> is the stream's entry, if it has one.</summary>
        public void Keep(LinkedListNode<(string Stream, long Revision, object State)>? node, string stream, long revision, object state)
        {
            if (node is not null)
            {
                _recent.Remove(node);
                node.Value = (stream, revision, state);
                _recent.AddFirst(node);
                return;
            }
            if (_states.Count >= capacity)
            {
                var last = _recent.Last!;
                _recent.RemoveLast();
                _states.Remove(last.Value.Stream);
                last.Value = (stream, revision, state); // reuse the node
                node = last;
            }
            else
                node = new LinkedListNode<(string, long, object)>((stream, revision, state));
            _recent.AddFirst(node);
            _states[stream] = node;
        }
    }
}
