namespace EventSourcedOms.EventStore;

/// <summary>One stream's part of an atomic multi-stream append.</summary>
public sealed record StreamAppend(string Stream, ExpectedRevision ExpectedRevision, IReadOnlyList<EventData> Events);

/// <summary>The stream's revision after the append (its last event) and the global position of that last event.</summary>
public readonly record struct AppendResult(long NextExpectedRevision, long Position);

/// <summary>Per stream results in the order the streams were given, and the global position of the append's last event.</summary>
public sealed record MultiStreamAppendResult(IReadOnlyList<AppendResult> Streams, long Position);
