using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Api.Features;

/// <summary>An order folded from its events up to a point: <see cref="Revision"/> -1 when nothing was there yet.</summary>
public sealed record OrderAsOf(OrderState State, long Revision, long Position, DateTimeOffset? RecordedAt);

/// <summary>
/// Reads an order straight from its stream (never from a read model): its raw events for auditors, and its state
/// rebuilt as of a revision or an instant.
/// </summary>
public sealed class OrderReader(IEventStore store)
{
    const int Page = 500;

    /// <summary>Every event of the order in revision order (empty when the order does not exist).</summary>
    public async Task<IReadOnlyList<RecordedEvent>> EventsAsync(string orderId, CancellationToken ct)
    {
        var events = new List<RecordedEvent>();
        while (true)
        {
            var page = await store.ReadStreamAsync(Streams.Order(orderId), events.Count, Direction.Forwards, Page, ct);
            events.AddRange(page);
            if (page.Count < Page) return events;
        }
    }

    /// <summary>
    /// The order as it stood at <paramref name="revision"/> (inclusive), or as the OMS knew it at the instant
    /// <paramref name="asOf"/> (events recorded at or before it), or now when both are null.
    /// </summary>
    public async Task<OrderAsOf> LoadAsync(string orderId, long? revision, DateTimeOffset? asOf, CancellationToken ct)
    {
        var result = new OrderAsOf(OrderState.Initial, -1, 0, null);
        foreach (var e in await EventsAsync(orderId, ct))
        {
            if (e.Revision > revision || e.RecordedAt > asOf) break;
            var state = EventSerializer.Deserialize(e) is { } domainEvent ? result.State.When(domainEvent) : result.State;
            result = new OrderAsOf(state, e.Revision, e.Position, e.RecordedAt);
        }
        return result;
    }
}
