namespace EventSourcedOms.EventStore;

/// <summary>
/// A stream's folded state as of one of its events (<see cref="Revision"/>, at <see cref="Position"/>), in a format the
/// caller names (<see cref="Type"/>, e.g. <c>stock.v1</c>) and encodes (<see cref="Data"/>). A cache, not a fact: the
/// events stay the truth, a snapshot can always be deleted, and a reader that does not know its type ignores it.
/// </summary>
public sealed record StreamSnapshot(string Stream, long Revision, long Position, string Type, string Data);

/// <summary>
/// The latest snapshot per stream, beside the events in the same database, so that loading a long stream reads its
/// snapshot and only the events after it.
/// </summary>
public interface ISnapshotStore
{
    /// <summary>The stream's snapshot, or null when it has none.</summary>
    Task<StreamSnapshot?> ReadSnapshotAsync(string stream, CancellationToken ct = default);

    /// <summary>
    /// Keeps <paramref name="snapshot"/> as the stream's snapshot, unless the store already holds one at the same or a
    /// later revision, or the stream has no event at that revision (a snapshot never runs ahead of its events).
    /// Returns whether it was kept. Not part of any append: losing one (a crash) only makes the next load read more events.
    /// </summary>
    Task<bool> SaveSnapshotAsync(StreamSnapshot snapshot, CancellationToken ct = default);
}
