using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace EventSourcedOms.EventStore.Postgres;

public sealed partial class PostgresEventStore
{
    const string EventIdKey = "events_event_id_key";
    readonly string _appendSql;

    // Two appends crossing the same new event ids in opposite orders can deadlock; a fresh attempt sees the winner's
    // commit and resolves to a retry result or a conflict.
    static readonly string[] RetryableStates = ["40P01", "40001"];

    private protected override async Task<MultiStreamAppendResult> AppendCoreAsync(PreparedAppend append, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var sent = false;
            try
            {
                await using var conn = await _dataSource.OpenConnectionAsync(ct);
                sent = true;
                long[] current;
                try
                {
                    var written = await TryAppendAsync(conn, null, append, ct);
                    if (written.Result is { } result)
                    {
                        _notifications.Published();
                        return result;
                    }
                    current = written.CurrentRevisions;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == EventIdKey)
                {
                    // An event id is already stored (the common case of a retry), or a concurrent append with the same
                    // id committed first: either way it is stored now, and where it is decides.
                    current = [];
                }
                var stored = await LookupEventIdsAsync(conn, append, ct);
                return AppendConflicts.Resolve(append, stored, current)
                       ?? throw new InvalidOperationException("The append function refused an append that conflicts with nothing.");
            }
            catch (PostgresException e) when (RetryableStates.Contains(e.SqlState) && attempt < 3)
            {
            }
            catch (Exception e) when (e is NpgsqlException || PostgresErrors.IsUnavailable(e, ct))
            {
                // A connection that broke after the call was sent may have lost the reply to a commit that happened;
                // an error reported by the server itself means the transaction rolled back.
                throw Unavailable(e, outcomeUnknown: sent && e is not PostgresException);
            }
        }
    }

    /// <summary>Calls the append function once. Used inside an open transaction only by tests that hold one open.</summary>
    internal async Task<(MultiStreamAppendResult? Result, long[] CurrentRevisions)> TryAppendAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, PreparedAppend append, CancellationToken ct)
    {
        var events = append.Events;
        var streamIdx = new int[events.Length];
        var offsets = new int[events.Length];
        var ids = new Guid[events.Length];
        var types = new string[events.Length];
        var data = new string[events.Length];
        var metadata = new string[events.Length];
        for (var i = 0; i < events.Length; i++)
        {
            streamIdx[i] = events[i].StreamIndex + 1;
            offsets[i] = events[i].IndexInStream + 1;
            ids[i] = events[i].EventId;
            types[i] = events[i].Type;
            data[i] = Encoding.UTF8.GetString(events[i].Data.Span);
            metadata[i] = Encoding.UTF8.GetString(events[i].Metadata);
        }

        await using var cmd = new NpgsqlCommand(_appendSql, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { Value = append.Streams.Select(s => s.Stream).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { Value = append.Streams.Select(s => s.ExpectedRevision.Value).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter<int[]> { Value = streamIdx });
        cmd.Parameters.Add(new NpgsqlParameter<int[]> { Value = offsets });
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]> { Value = ids });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { Value = types, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { Value = data, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { Value = metadata, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { Value = Time.GetUtcNow(), NpgsqlDbType = NpgsqlDbType.TimestampTz });

        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var status = reader.GetInt32(0);
        var current = reader.GetFieldValue<long[]>(2);
        return status == 0
            ? (append.ResultFrom(current, reader.GetInt64(1)), current)
            : (null, current);
    }

    async Task<List<StoredEventId>> LookupEventIdsAsync(NpgsqlConnection conn, PreparedAppend append, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"select event_id, stream, revision, position from {_schema}.events where event_id = any($1)", conn);
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]> { Value = append.Events.Select(e => e.EventId).ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var stored = new List<StoredEventId>();
        while (await reader.ReadAsync(ct))
            stored.Add(new StoredEventId(reader.GetGuid(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
        return stored;
    }
}
