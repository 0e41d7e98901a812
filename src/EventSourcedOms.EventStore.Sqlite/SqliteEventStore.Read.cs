using System.Text;
using Microsoft.Data.Sqlite;

namespace EventSourcedOms.EventStore.Sqlite;

public sealed partial class SqliteEventStore
{
    const string Columns = "position, stream, revision, event_id, type, data, metadata, recorded_at";

    private protected override Task<IReadOnlyList<RecordedEvent>> ReadStreamCoreAsync(
        string stream, long fromRevision, Direction direction, int maxCount, CancellationToken ct)
    {
        var sql = direction == Direction.Forwards
            ? $"select {Columns} from events where stream = $stream and revision >= $from order by revision limit $max"
            : $"select {Columns} from events where stream = $stream and revision <= $from order by revision desc limit $max";
        return Read<IReadOnlyList<RecordedEvent>>(conn =>
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = sql;
            cmd.Parameters.AddWithValue("$stream", stream);
            cmd.Parameters.AddWithValue("$from", fromRevision);
            cmd.Parameters.AddWithValue("$max", maxCount);
            return ReadEvents(cmd);
        }, ct);
    }

    private protected override Task<AllPage> ReadAllCoreAsync(long fromPosition, int maxCount, EventFilter? filter, CancellationToken ct) =>
        Read(conn =>
        {
            // Read the head first: every event at or below it has committed, and the single writer commits positions in
            // order, so the page and its checkpoint cover a gapless prefix even with a filter.
            using var head = conn.CreateCommand();
            head.CommandText = "select coalesce(max(position), 0) from events";
            var headPosition = (long)head.ExecuteScalar()!;

            using var cmd = conn.CreateCommand();
            var sql = new StringBuilder($"select {Columns} from events where position >= $from and position <= $head");
            AppendIn(cmd, sql, "substr(stream, 1, length({0})) = {0}", "$p", filter?.Prefixes);
            AppendIn(cmd, sql, "type = {0}", "$t", filter?.TypeNames);
            sql.Append(" order by position limit $max");
            cmd.CommandText = sql.ToString();
            cmd.Parameters.AddWithValue("$from", fromPosition);
            cmd.Parameters.AddWithValue("$head", headPosition);
            cmd.Parameters.AddWithValue("$max", maxCount);
            var events = ReadEvents(cmd);
            var full = events.Count == maxCount;
            var next = full ? events[^1].Position + 1 : Math.Max(fromPosition, headPosition + 1);
            return new AllPage(new AllSlice(events, next, IsEnd: !full), HeldBack: false);
        }, ct);

    static void AppendIn(SqliteCommand cmd, StringBuilder sql, string condition, string prefix, string[]? values)
    {
        if (values is not { Length: > 0 }) return;
        sql.Append(" and (");
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0) sql.Append(" or ");
            sql.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, condition, prefix + i));
            cmd.Parameters.AddWithValue(prefix + i, values[i]);
        }
        sql.Append(')');
    }

    async Task<T> Read<T>(Func<SqliteConnection, T> read, CancellationToken ct)
    {
        try
        {
            await using var conn = new SqliteConnection(_connectionString);
            await conn.OpenAsync(ct);
            return read(conn);
        }
        catch (SqliteException e) when (SqliteErrors.IsUnavailable(e))
        {
            throw SqliteErrors.Unavailable(e, outcomeUnknown: false);
        }
    }

    static List<RecordedEvent> ReadEvents(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var events = new List<RecordedEvent>();
        while (r.Read())
        {
            events.Add(new RecordedEvent(
                stream: r.GetString(1),
                revision: r.GetInt64(2),
                position: r.GetInt64(0),
                eventId: r.GetGuid(3),
                type: r.GetString(4),
                data: r.GetFieldValue<byte[]>(5),
                metadataJson: r.GetFieldValue<byte[]>(6),
                recordedAt: DateTimeOffset.UnixEpoch.AddTicks(r.GetInt64(7) * 10)));
        }
        return events;
    }
}
