namespace EventSourcedOms.EventStore;

public enum Direction
{
    Forwards,
    Backwards,
}

/// <summary>
/// Server-side filter for <c>$all</c>: events whose stream starts with one of <see cref="StreamPrefixes"/> (for a
/// category, e.g. <c>"order-"</c>) and whose type is one of <see cref="EventTypes"/>. An empty list does not filter.
/// </summary>
public sealed record EventFilter(IReadOnlyList<string>? StreamPrefixes = null, IReadOnlyList<string>? EventTypes = null)
{
    public static EventFilter StreamPrefix(params string[] prefixes) => new(StreamPrefixes: prefixes);
    public static EventFilter Types(params string[] types) => new(EventTypes: types);

    internal string[] Prefixes => StreamPrefixes?.ToArray() ?? [];
    internal string[] TypeNames => EventTypes?.ToArray() ?? [];
}

/// <summary>
/// A page of <c>$all</c>. <see cref="NextPosition"/> is where to continue: every position before it has been considered
/// (also the events a filter left out), so it is a valid checkpoint even when <see cref="Events"/> is empty.
/// </summary>
public sealed record AllSlice(IReadOnlyList<RecordedEvent> Events, long NextPosition, bool IsEnd);

/// <summary>Where a subscription to <c>$all</c> starts: from the beginning, or after a checkpoint (exclusive).</summary>
public readonly record struct FromAll(long After)
{
    public static FromAll Start { get; } = new(0);
    public static FromAll AfterPosition(long position) => new(position);
}
