using System.Text.Json;
using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Application.Sessions;

/// <summary>Domain events ↔ stored events, by the type names of <see cref="EventTypes"/>; camelCase JSON.</summary>
public static class EventSerializer
{
    public static JsonSerializerOptions Options => EventTypes.Json;

    public static EventData ToEventData(object @event, EventMetadata metadata) =>
        new(Guid.CreateVersion7(), EventTypes.NameOf(@event.GetType()), JsonSerializer.SerializeToUtf8Bytes(@event, @event.GetType(), Options), metadata);

    /// <summary>The domain event, or null for a type this version does not know (another module's, or a newer one).</summary>
    public static object? Deserialize(RecordedEvent recorded) => EventTypes.Deserialize(recorded.Type, recorded.Data.Span);
}
