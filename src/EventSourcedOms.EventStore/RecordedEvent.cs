namespace EventSourcedOms.EventStore;

/// <summary>
/// An event as committed. <see cref="Position"/> orders all events of the store (<c>$all</c>); positions only grow but
/// are not dense (a backend may leave holes), so use them as checkpoints, never as counters.
/// </summary>
public sealed class RecordedEvent
{
    EventMetadata? _metadata;

    public RecordedEvent(string stream, long revision, long position, Guid eventId, string type, ReadOnlyMemory<byte> data,
        ReadOnlyMemory<byte> metadataJson, DateTimeOffset recordedAt)
    {
        Stream = stream;
        Revision = revision;
        Position = position;
        EventId = eventId;
        Type = type;
        Data = data;
        MetadataJson = metadataJson;
        RecordedAt = recordedAt;
    }

    public string Stream { get; }
    public long Revision { get; }
    public long Position { get; }
    public Guid EventId { get; }
    public string Type { get; }

    /// <summary>The event's JSON object, byte for byte as appended.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The metadata as stored (a JSON object); <see cref="Metadata"/> parses it on first use, so a reader
    /// that never looks at metadata (most projections) never pays for it.</summary>
    public ReadOnlyMemory<byte> MetadataJson { get; }

    public EventMetadata Metadata => _metadata ??= EventStore.MetadataJson.Deserialize(MetadataJson.Span);

    public DateTimeOffset RecordedAt { get; }

    public override string ToString() => $"{Stream}@{Revision} {Type} (position {Position})";
}
