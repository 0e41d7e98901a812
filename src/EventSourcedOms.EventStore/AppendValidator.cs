using System.Text.Json;

namespace EventSourcedOms.EventStore;

/// <summary>Rejects bad input with a typed error naming the field, before any backend sees it.</summary>
internal static class AppendValidator
{
    public static PreparedAppend Prepare(IReadOnlyList<StreamAppend>? appends, EventStoreLimits limits)
    {
        if (appends is null || appends.Count == 0)
            throw new EventStoreValidationException("append-empty", "appends", "An append needs at least one stream.");

        var total = 0;
        foreach (var a in appends) total += a?.Events?.Count ?? 0;
        if (total > limits.MaxEventsPerAppend)
            throw new EventStoreValidationException("too-many-events", "events",
                $"{total} events in one append; at most {limits.MaxEventsPerAppend} are allowed.");

        var streams = new StreamAppend[appends.Count];
        var events = new PreparedEvent[total];
        var seenStreams = new HashSet<string>(StringComparer.Ordinal);
        var seenIds = new HashSet<Guid>();
        var n = 0;
        for (var s = 0; s < appends.Count; s++)
        {
            var field = appends.Count == 1 ? "" : $"appends[{s}].";
            var append = appends[s] ?? throw new EventStoreValidationException("append-empty", $"appends[{s}]", "Missing.");
            ValidateStreamName(append.Stream, field + "stream", limits);
            if (append.ExpectedRevision.IsUnset)
                throw new EventStoreValidationException("expected-revision-missing", field + "expectedRevision",
                    "Say what the stream is expected to be: Any, NoStream, StreamExists or an exact revision.");
            if (!seenStreams.Add(append.Stream))
                throw new EventStoreValidationException("stream-repeated", field + "stream", $"Stream '{append.Stream}' appears twice in one append.");
            if (append.Events is null || append.Events.Count == 0)
                throw new EventStoreValidationException("append-empty", field + "events", "An append needs at least one event.");

            for (var e = 0; e < append.Events.Count; e++)
            {
                var ef = $"{field}events[{e}]";
                var ev = append.Events[e] ?? throw new EventStoreValidationException("event-missing", ef, "Missing.");
                if (ev.EventId == Guid.Empty)
                    throw new EventStoreValidationException("event-id-empty", ef + ".eventId", "An event id must not be the empty Guid.");
                if (!seenIds.Add(ev.EventId))
                    throw new EventStoreValidationException("event-id-repeated", ef + ".eventId", $"Event id {ev.EventId} appears twice in one append.");
                ValidateTypeName(ev.Type, ef + ".type", limits);
                if (!IsJsonObject(ev.Data.Span))
                    throw new EventStoreValidationException("event-data-not-json-object", ef + ".data", "Event data must be one JSON object.");
                var metadata = MetadataJson.Serialize(ev.Metadata);
                if (!IsJsonObject(metadata))
                    throw new EventStoreValidationException("event-metadata-invalid", ef + ".metadata",
                        "Metadata strings must be valid Unicode text without NUL characters.");
                if ((long)ev.Data.Length + metadata.Length > limits.MaxEventBytes)
                    throw new EventStoreValidationException("event-too-large", ef,
                        $"{ev.Data.Length + metadata.Length} bytes of data and metadata; at most {limits.MaxEventBytes} are allowed.");
                events[n++] = new PreparedEvent(s, e, ev.EventId, ev.Type, ev.Data, metadata);
            }
            streams[s] = append;
        }
        return new PreparedAppend(streams, events);
    }

    public static void ValidateStreamName(string? stream, string field, EventStoreLimits limits)
    {
        if (string.IsNullOrEmpty(stream))
            throw new EventStoreValidationException("stream-name-empty", field, "A stream name is required.");
        if (stream.Length > limits.MaxStreamNameLength)
            throw new EventStoreValidationException("stream-name-too-long", field,
                $"{stream.Length} characters; at most {limits.MaxStreamNameLength} are allowed.");
        if (!IsName(stream))
            throw new EventStoreValidationException("stream-name-invalid", field,
                "Only letters A-Z and a-z, digits and the characters _ . : @ - are allowed.");
    }

    static void ValidateTypeName(string? type, string field, EventStoreLimits limits)
    {
        if (string.IsNullOrEmpty(type))
            throw new EventStoreValidationException("event-type-empty", field, "An event type name is required, e.g. 'OrderPlaced.v1'.");
        if (type.Length > limits.MaxTypeNameLength)
            throw new EventStoreValidationException("event-type-too-long", field, $"{type.Length} characters; at most {limits.MaxTypeNameLength} are allowed.");
        if (!IsName(type))
            throw new EventStoreValidationException("event-type-invalid", field,
                "Only letters A-Z and a-z, digits and the characters _ . : @ - are allowed.");
    }

    static bool IsName(string s)
    {
        foreach (var c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '@' or '-'))
                return false;
        return true;
    }

    /// <summary>
    /// One JSON object of valid Unicode text. Escaped strings are decoded as well: the reader would accept a lone
    /// surrogate or NUL written as an escape, which PostgreSQL's JSON operators and .NET deserialisation then reject,
    /// and an event that cannot be read again would stop every projection that meets it.
    /// </summary>
    internal static bool IsJsonObject(ReadOnlySpan<byte> json)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json)) return false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            var depth = reader.CurrentDepth;
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String && reader.ValueIsEscaped &&
                    reader.GetString()!.Contains('\0', StringComparison.Ordinal))
                    return false;
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth) return !reader.Read();
            }
            return false;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    public static void ValidateRead(int maxCount, string field = "maxCount")
    {
        if (maxCount <= 0)
            throw new EventStoreValidationException("max-count-invalid", field, "Must be 1 or more.");
    }
}
