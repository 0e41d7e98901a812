using Microsoft.Data.Sqlite;

namespace EventSourcedOms.EventStore.Sqlite;

public sealed partial class SqliteEventStore
{
    private protected override Task<StreamSnapshot?> ReadSnapshotCoreAsync(string stream, CancellationToken ct) =>
        Read(conn =>
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "select revision, position, type, data from snapshots where stream = $stream";
            cmd.Parameters.AddWithValue("$stream", stream);
            using var r = cmd.ExecuteReader();
            return r.Read() ? new StreamSnapshot(stream, r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3)) : null;
        }, ct);

    // Written by the single writer in its next transaction (see PendingSnapshot).
    private protected override Task<bool> SaveSnapshotCoreAsync(StreamSnapshot snapshot, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var pending = new PendingSnapshot(snapshot, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        Enqueue(pending);
        return pending.Done.Task;
    }
}
