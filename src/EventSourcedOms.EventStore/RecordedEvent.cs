namespace EventSourcedOms.EventStore;

/// <summary>
/// An event as committed. <see cref="Position"/> orders all events of the store (<c>$all</c>); positions only grow but
/// are not dense (a backend may leave holes), so use them as checkpoints, never as counters.
/// </summary>
public sealed record RecordedEvent(
    string Stream,
    long Revision,
    long Position,
    Guid EventId,
    string Type,
    ReadOnlyMemory<byte> Data,
    EventMetadata Metadata,
    DateTimeOffset RecordedAt);
