using System.Data.Common;
using Dapper;

namespace EventSourcedOms.Projections.Runner;

/// <summary>A projection's place in <c>$all</c> and, if a poison event stopped it, the error and where.</summary>
public sealed record Checkpoint(string Name, long Position, DateTimeOffset UpdatedAt, DateTimeOffset? LastEventAt, string? Error, long? ErrorPosition);

static class Checkpoints
{
    public static async Task<Checkpoint?> ReadAsync(DbConnection conn, string name, DbTransaction? tx = null) =>
        await conn.QuerySingleOrDefaultAsync<Checkpoint>(
            $"""
            select name as {nameof(Checkpoint.Name)}, position as {nameof(Checkpoint.Position)}, updated_at as {nameof(Checkpoint.UpdatedAt)},
                   last_event_at as {nameof(Checkpoint.LastEventAt)}, error as {nameof(Checkpoint.Error)}, error_position as {nameof(Checkpoint.ErrorPosition)}
            from projection_checkpoints where name = @name
            """, new { name }, tx);

    /// <summary>Moves the checkpoint forward, in the batch's transaction; never backwards.</summary>
    public static Task SaveAsync(ProjectionBatch batch, string name, long position, DateTimeOffset now, DateTimeOffset lastEventAt) =>
        batch.WriteAsync(
            """
            insert into projection_checkpoints (name, position, updated_at, last_event_at) values (@name, @position, @now, @lastEventAt)
            on conflict (name) do update set position = excluded.position, updated_at = excluded.updated_at, last_event_at = excluded.last_event_at
            where projection_checkpoints.position < excluded.position
            """, new { name, position, now, lastEventAt });

    public static Task FailAsync(DbConnection conn, string name, long position, string error, DateTimeOffset now) =>
        conn.ExecuteAsync(
            """
            insert into projection_checkpoints (name, position, updated_at, error, error_position) values (@name, 0, @now, @error, @position)
            on conflict (name) do update set error = excluded.error, error_position = excluded.error_position, updated_at = excluded.updated_at
            """, new { name, position, error, now });

    /// <summary>Clears a recorded error so the runner retries the event (after a fix was deployed).</summary>
    public static Task ResetErrorAsync(DbConnection conn, string name) =>
        conn.ExecuteAsync("update projection_checkpoints set error = null, error_position = null where name = @name", new { name });
}
