using Npgsql;
using NpgsqlTypes;

namespace EventSourcedOms.EventStore.Postgres;

public sealed partial class PostgresEventStore
{
    const string Columns = "position, null::boolean, stream, revision, event_id, type, data, metadata, recorded_at";

    private protected override async Task<IReadOnlyList<RecordedEvent>> ReadStreamCoreAsync(
        string stream, long fromRevision, Direction direction, int maxCount, CancellationToken ct)
    {
        var sql = direction == Direction.Forwards
            ? $"select {Columns} from {_schema}.events where stream = $1 and revision >= $2 order by revision limit $3"
            : $"select {Columns} from {_schema}.events where stream = $1 and revision <= $2 order by revision desc limit $3";
        try
        {
            await using var cmd = _dataSource.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter<string> { Value = stream, NpgsqlDbType = NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter<long> { Value = fromRevision });
            cmd.Parameters.Add(new NpgsqlParameter<int> { Value = maxCount });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var events = new List<RecordedEvent>();
            while (await reader.ReadAsync(ct)) events.Add(ReadEvent(reader, 0));
            return events;
        }
        catch (Exception e) when (PostgresErrors.IsUnavailable(e, ct))
        {
            throw Unavailable(e, outcomeUnknown: false);
        }
    }

    /// <summary>
    /// Reads $all without ever passing an event that a still-running transaction could later commit before it.
    /// A position embeds the xid of its transaction, so every transaction still running (xid >= the snapshot's xmin)
    /// can only write positions >= xmin &lt;&lt; 16: reading strictly below that horizon sees a final, gapless prefix.
    /// Committed events at or past the horizon wait (HeldBack) until the older transactions end.
    /// </summary>
    private protected override async Task<AllPage> ReadAllCoreAsync(long fromPosition, int maxCount, EventFilter? filter, CancellationToken ct)
    {
        var prefixes = filter?.Prefixes ?? [];
        var types = filter?.TypeNames ?? [];
        var where = (prefixes.Length > 0 ? " and e.stream ^@ any($3)" : "") + (types.Length > 0 ? " and e.type = any($4)" : "");
        // One statement, so the page and its checkpoint share one horizon: a header row (kind 0) carries it and whether
        // committed events wait beyond it; the events follow (kind 1). The horizon is an InitPlan, so both range
        // conditions use the primary key.
        var sql = $"""
            with h as materialized (
                 select (pg_snapshot_xmin(pg_current_snapshot())::text::bigint + o.xid_offset) << 16 as horizon
                   from {_schema}.position_offset o)
            select 0 as kind, (select horizon from h) as position,
                   coalesce((select max(x.position) from {_schema}.events x), 0) >= (select horizon from h) as held,
                   null::text, null::bigint, null::uuid, null::text, null::json, null::json, null::timestamptz
            union all
            (select 1, e.position, null::boolean, e.stream, e.revision, e.event_id, e.type, e.data, e.metadata, e.recorded_at
               from {_schema}.events e
              where e.position >= $1 and e.position < (select horizon from h){where}
              order by e.position limit $2)
            """;
        try
        {
            await using var cmd = _dataSource.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter<long> { Value = fromPosition });
            cmd.Parameters.Add(new NpgsqlParameter<int> { Value = maxCount });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { Value = prefixes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { Value = types, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var events = new List<RecordedEvent>();
            long horizon = 0;
            var held = false;
            while (await reader.ReadAsync(ct))
            {
                if (reader.GetInt32(0) == 1)
                {
                    events.Add(ReadEvent(reader, 1));
                    continue;
                }
                horizon = reader.GetInt64(1);
                held = reader.GetBoolean(2);
            }
            var full = events.Count == maxCount;
            // Everything below the horizon has been considered, also what the filter left out.
            var next = full ? events[^1].Position + 1 : Math.Max(fromPosition, horizon);
            return new AllPage(new AllSlice(events, next, IsEnd: !full), held);
        }
        catch (Exception e) when (PostgresErrors.IsUnavailable(e, ct))
        {
            throw Unavailable(e, outcomeUnknown: false);
        }
    }

    /// <summary>Reads the event whose columns start at <paramref name="o"/>: position, (a flag column), stream, revision, …</summary>
    static RecordedEvent ReadEvent(NpgsqlDataReader r, int o) => new(
        stream: r.GetString(o + 2),
        revision: r.GetInt64(o + 3),
        position: r.GetInt64(o),
        eventId: r.GetGuid(o + 4),
        type: r.GetString(o + 5),
        data: r.GetFieldValue<byte[]>(o + 6),
        metadataJson: r.GetFieldValue<byte[]>(o + 7),
        recordedAt: r.GetFieldValue<DateTimeOffset>(o + 8));
}
