using System.Text;

namespace EventSourcedOms.EventStore;

/// <summary>An event to append: a caller-chosen id (the idempotency key), a stable versioned type name and a JSON object.</summary>
public sealed record EventData(Guid EventId, string Type, ReadOnlyMemory<byte> Data, EventMetadata? Metadata = null)
{
    public static EventData FromJson(Guid eventId, string type, string json, EventMetadata? metadata = null) =>
        new(eventId, type, Encoding.UTF8.GetBytes(json), metadata);
}

/// <summary>
/// Who and why: correlation and causation ids, the acting user or system, and the business time the fact happened
/// (which may be in the past for imported history). The store records its own time separately.
/// </summary>
public sealed record EventMetadata
{
    public static EventMetadata Empty { get; } = new();

    public string? CorrelationId { get; init; }
    public string? CausationId { get; init; }
    public string? Actor { get; init; }
    public DateTimeOffset? OccurredAt { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
