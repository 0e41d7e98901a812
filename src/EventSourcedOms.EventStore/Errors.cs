namespace EventSourcedOms.EventStore;

/// <summary>Every failure of the store, with a stable machine-readable <see cref="Code"/>.</summary>
public abstract class EventStoreException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}

/// <summary>The stream is not where the caller expected it: <see cref="ActualRevision"/> is its last revision, -1 if it does not exist.</summary>
public sealed class WrongExpectedRevisionException(string stream, ExpectedRevision expected, long actualRevision)
    : EventStoreException("wrong-expected-revision",
        $"Stream '{stream}' was expected at {expected} but is at {(actualRevision < 0 ? "no stream" : actualRevision.ToString(System.Globalization.CultureInfo.InvariantCulture))}.")
{
    public string Stream { get; } = stream;
    public ExpectedRevision ExpectedRevision { get; } = expected;
    public long ActualRevision { get; } = actualRevision;
}

/// <summary>
/// Some event ids of the append are already stored, but not as this exact append (a partial overlap, another stream or
/// other revisions), so it is neither new nor a retry.
/// </summary>
public sealed class DuplicateEventIdException(IReadOnlyList<Guid> existingEventIds)
    : EventStoreException("duplicate-event-id",
        $"Event id(s) {string.Join(", ", existingEventIds)} are already stored, and not as this same append: not a retry, not new.")
{
    public IReadOnlyList<Guid> ExistingEventIds { get; } = existingEventIds;
}

/// <summary>The request is malformed; <see cref="Field"/> names the offending part, e.g. <c>appends[0].events[2].data</c>.</summary>
public sealed class EventStoreValidationException(string code, string field, string message)
    : EventStoreException(code, $"{field}: {message}")
{
    public string Field { get; } = field;
}

/// <summary>
/// The database could not be reached or failed; safe to retry. When <see cref="OutcomeUnknown"/> is true the append may
/// have committed before the connection broke: retrying with the same event ids is idempotent and tells which.
/// </summary>
public sealed class EventStoreUnavailableException(string message, Exception inner, bool outcomeUnknown)
    : EventStoreException("store-unavailable", message, inner)
{
    public bool OutcomeUnknown { get; } = outcomeUnknown;
}
