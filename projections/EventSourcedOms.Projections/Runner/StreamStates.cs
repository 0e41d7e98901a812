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
/// </summary>
public sealed class StreamStates(IEventStore store, int capacity = 100_000)
{
    readonly Dictionary<string, (long Revision, object State)> _states = new(StringComparer.Ordinal);

    public Task<OrderState> OrderAsync(RecordedEvent recorded, object @event, CancellationToken ct) =>
        FoldAsync(recorded, @event, OrderState.Initial, (s, e) => s.When(e), ct);

    public Task<StockState> StockAsync(RecordedEvent recorded, object @event, CancellationToken ct) =>
        FoldAsync(recorded, @event, StockState.Initial, (s, e) => s.When(e), ct);

    public Task<BackorderQueueState> BackordersAsync(RecordedEvent recorded, object @event, CancellationToken ct) =>
        FoldAsync(recorded, @event, BackorderQueueState.Initial, (s, e) => s.When(e), ct);

    async Task<TState> FoldAsync<TState>(RecordedEvent recorded, object @event, TState initial, Func<TState, object, TState> when, CancellationToken ct)
        where TState : class
    {
        TState state;
        if (recorded.Revision == 0)
            state = when(initial, @event);      // a stream's first event: nothing to read
        else if (_states.TryGetValue(recorded.Stream, out var cached) && cached.Revision == recorded.Revision - 1)
            state = when((TState)cached.State, @event);
        else
        {
            state = initial;
            for (long from = 0; from <= recorded.Revision;)
            {
                var page = await store.ReadStreamAsync(recorded.Stream, from, Direction.Forwards, (int)Math.Min(1000, recorded.Revision - from + 1), ct);
                if (page.Count == 0) break;
                foreach (var e in page)
                    if (EventTypes.Deserialize(e.Type, e.Data.Span) is { } domainEvent) state = when(state, domainEvent);
                from = page[^1].Revision + 1;
            }
        }
        if (_states.Count >= capacity) _states.Clear();
        _states[recorded.Stream] = (recorded.Revision, state);
        return state;
    }

    /// <summary>Forgets everything (after a failed batch, whose events may not have been written).</summary>
    public void Clear() => _states.Clear();
}
