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

    // Its own short write beside the single appender (a snapshot is not part of any append); the busy timeout waits
    // for the appender's transaction to end. Kept only for an event the stream has, and only when newer.
    private protected override Task<bool> SaveSnapshotCoreAsync(StreamSnapshot snapshot, CancellationToken ct) =>
        Read(conn =>
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = """
                insert into snapshots (stream, revision, position, type, data)
                select $stream, $revision, $position, $type, $data
                where exists (select 1 from events where stream = $stream and revision = $revision and position = $position)
                on conflict (stream) do update set revision = excluded.revision, position = excluded.position, type = excluded.type, data = excluded.data
                where excluded.revision > snapshots.revision
                """;
            cmd.Parameters.AddWithValue("$stream", snapshot.Stream);
            cmd.Parameters.AddWithValue("$revision", snapshot.Revision);
            cmd.Parameters.AddWithValue("$position", snapshot.Position);
            cmd.Parameters.AddWithValue("$type", snapshot.Type);
            cmd.Parameters.AddWithValue("$data", snapshot.Data);
            return cmd.ExecuteNonQuery() > 0;
        }, ct);
}
