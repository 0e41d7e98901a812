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

    /// <summary>Saves a snapshot; a failure only means the next cold load reads more events, so it is not the command's failure.</summary>
    public static async Task SaveAsync<TState>(IEventStore store, string stream, long revision, long position, TState state, CancellationToken ct)
    {
        if (store is not ISnapshotStore snapshots || StateSnapshots.TypeOf<TState>() is not { } type) return;
        try
        {
            await snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, revision, position, type, StateSnapshots.Serialize(state)), ct);
        }
        catch (EventStoreException)
        {
        }
    }
}
