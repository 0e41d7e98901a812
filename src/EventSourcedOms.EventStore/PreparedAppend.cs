namespace EventSourcedOms.EventStore;

/// <summary>
/// A validated append handed to a backend: the streams in the caller's order, and all events flattened in order
/// (each stream's events contiguous) with their metadata already serialized.
/// </summary>
internal sealed class PreparedAppend(StreamAppend[] streams, PreparedEvent[] events)
{
    public StreamAppend[] Streams { get; } = streams;
    public PreparedEvent[] Events { get; } = events;

    /// <summary>Index in <see cref="Events"/> of each stream's first event, plus one past the end.</summary>
    public int[] StreamOffsets { get; } = ComputeOffsets(streams);

    static int[] ComputeOffsets(StreamAppend[] streams)
    {
        var offsets = new int[streams.Length + 1];
        for (var i = 0; i < streams.Length; i++) offsets[i + 1] = offsets[i] + streams[i].Events.Count;
        return offsets;
    }

    /// <summary>The result of this append given each stream's revision before it and its first event's global position,
    /// for a backend whose positions are consecutive within one append.</summary>
    public MultiStreamAppendResult ResultFrom(long[] revisionsBefore, long firstPosition)
    {
        var results = new AppendResult[Streams.Length];
        for (var i = 0; i < Streams.Length; i++)
            results[i] = new AppendResult(revisionsBefore[i] + Streams[i].Events.Count, firstPosition + StreamOffsets[i + 1] - 1);
        return new MultiStreamAppendResult(results, firstPosition + Events.Length - 1);
    }
}

internal readonly record struct PreparedEvent(int StreamIndex, int IndexInStream, Guid EventId, string Type, ReadOnlyMemory<byte> Data, byte[] Metadata);
