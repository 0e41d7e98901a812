namespace EventSourcedOms.EventStore;

/// <summary>Where an already stored event of an append sits.</summary>
internal readonly record struct StoredEventId(Guid EventId, string Stream, long Revision, long Position);

/// <summary>
/// Decides what an append means when a backend could not write it plainly (an expectation failed or an event id
/// exists): a retry of an append that already committed (return its original result), a duplicate-id conflict, or a
/// wrong expected revision. One decision for every backend, so retries behave identically everywhere.
/// </summary>
internal static class AppendConflicts
{
    /// <param name="stored">Rows already stored for any of the append's event ids.</param>
    /// <param name="currentRevisions">Each stream's last revision (-1: none) as the backend saw it; only needed when
    /// no event id is stored.</param>
    /// <returns>The original result of an idempotent retry, or null when nothing is wrong any more (the caller retries).</returns>
    public static MultiStreamAppendResult? Resolve(PreparedAppend append, IReadOnlyCollection<StoredEventId> stored, long[] currentRevisions)
    {
        if (stored.Count > 0)
            return OriginalResult(append, stored) ?? throw new DuplicateEventIdException(stored.Select(s => s.EventId).ToArray());

        for (var i = 0; i < append.Streams.Length; i++)
            if (!append.Streams[i].ExpectedRevision.IsSatisfiedBy(currentRevisions[i]))
                throw new WrongExpectedRevisionException(append.Streams[i].Stream, append.Streams[i].ExpectedRevision, currentRevisions[i]);
        return null;
    }

    /// <summary>The append is a retry when every one of its events is stored in its stream, in order, at consecutive
    /// revisions that the append's expectation would have produced, and all of them were one commit: their positions
    /// are one consecutive run in the append's order (both backends number an append's events that way).</summary>
    static MultiStreamAppendResult? OriginalResult(PreparedAppend append, IReadOnlyCollection<StoredEventId> stored)
    {
        if (stored.Count != append.Events.Length) return null;
        var byId = stored.ToDictionary(s => s.EventId);
        for (var e = 1; e < append.Events.Length; e++)
            if (byId[append.Events[e].EventId].Position != byId[append.Events[e - 1].EventId].Position + 1)
                return null;
        var results = new AppendResult[append.Streams.Length];
        long lastPosition = 0;
        for (var i = 0; i < append.Streams.Length; i++)
        {
            var stream = append.Streams[i];
            long firstRevision = -1, previous = -1, position = 0;
            for (var e = append.StreamOffsets[i]; e < append.StreamOffsets[i + 1]; e++)
            {
                if (!byId.TryGetValue(append.Events[e].EventId, out var s) || s.Stream != stream.Stream) return null;
                if (firstRevision < 0) firstRevision = s.Revision;
                else if (s.Revision != previous + 1) return null;
                previous = s.Revision;
                position = Math.Max(position, s.Position);
            }
            // The original append saw revision firstRevision - 1 and its expectation accepted it.
            if (!stream.ExpectedRevision.IsSatisfiedBy(firstRevision - 1)) return null;
            results[i] = new AppendResult(previous, position);
            lastPosition = Math.Max(lastPosition, position);
        }
        return new MultiStreamAppendResult(results, lastPosition);
    }
}
