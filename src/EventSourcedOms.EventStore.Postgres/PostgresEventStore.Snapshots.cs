using Npgsql;
using NpgsqlTypes;

namespace EventSourcedOms.EventStore.Postgres;

public sealed partial class PostgresEventStore
{
    private protected override async Task<StreamSnapshot?> ReadSnapshotCoreAsync(string stream, CancellationToken ct)
    {
        try
        {
            await using var cmd = _dataSource.CreateCommand($"select revision, position, type, data from {_schema}.snapshots where stream = $1");
            cmd.Parameters.Add(new NpgsqlParameter<string> { Value = stream, NpgsqlDbType = NpgsqlDbType.Text });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            return await r.ReadAsync(ct) ? new StreamSnapshot(stream, r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3)) : null;
        }
        catch (Exception e) when (PostgresErrors.IsUnavailable(e, ct))
        {
            throw Unavailable(e, outcomeUnknown: false);
        }
    }

    // One statement, outside any append: kept only for an event the stream has, and only when newer than the one stored.
    private protected override async Task<bool> SaveSnapshotCoreAsync(StreamSnapshot snapshot, CancellationToken ct)
    {
        try
        {
            await using var cmd = _dataSource.CreateCommand($"""
                insert into {_schema}.snapshots (stream, revision, position, type, data)
                select $1, $2, $3, $4, $5
                where exists (select 1 from {_schema}.events where stream = $1 and revision = $2 and position = $3)
                on conflict (stream) do update set revision = excluded.revision, position = excluded.position, type = excluded.type, data = excluded.data
                where excluded.revision > {_schema}.snapshots.revision
                """);
            cmd.Parameters.Add(new NpgsqlParameter<string> { Value = snapshot.Stream, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter<long> { Value = snapshot.Revision });
            cmd.Parameters.Add(new NpgsqlParameter<long> { Value = snapshot.Position });
            cmd.Parameters.Add(new NpgsqlParameter<string> { Value = snapshot.Type, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter<string> { Value = snapshot.Data, NpgsqlDbType = NpgsqlDbType.Text });
            return await cmd.ExecuteNonQueryAsync(ct) > 0;
        }
        catch (Exception e) when (PostgresErrors.IsUnavailable(e, ct))
        {
            // Not part of any append: a snapshot whose write broke off is simply not there, or there (both are fine).
            throw Unavailable(e, outcomeUnknown: false);
        }
    }
}
