using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Application.Sessions;

/// <summary>The session's use of the store's snapshots (formats: <see cref="StateSnapshots"/>).</summary>
static class SessionSnapshots
{
    /// <summary>The stream's snapshot as a state, or null (none, another format, or a store without snapshots).</summary>
    public static async Task<(TState State, long Revision, long Position)?> ReadAsync<TState>(IEventStore store, string stream, CancellationToken ct)
        where TState : class
    {
        if (store is not ISnapshotStore snapshots || StateSnapshots.TypeOf<TState>() is null) return null;
        return await snapshots.ReadSnapshotAsync(stream, ct) is { } snapshot && StateSnapshots.Read<TState>(snapshot.Type, snapshot.Data) is { } state
            ? (state, snapshot.Revision, snapshot.Position)
            : null;
    }

    /// <summary>
    /// Saves a snapshot. Never throws: it runs after a commit, whose result must reach the caller, and a snapshot that
    /// was not saved only means the next cold load reads more events. Not cancellable for the same reason.
    /// </summary>
    public static async Task SaveAsync<TState>(IEventStore store, string stream, long revision, long position, TState state)
    {
        if (store is not ISnapshotStore snapshots || StateSnapshots.TypeOf<TState>() is not { } type) return;
        try
        {
            await snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, revision, position, type, StateSnapshots.Serialize(state)), CancellationToken.None);
        }
        catch (Exception)
        {
            // The store is unavailable or the state did not serialise: the events stay the truth.
        }
    }
}
