using System.Diagnostics;
using Dapper;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>A rebuild's progress: where it is, how many events it applied, how fast, and when it should be done.</summary>
public sealed record RebuildProgress(string Projection, long Position, long Events, double EventsPerSecond, TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>A row that differs between the live tables and a rebuild from the log: missing, extra, or changed.</summary>
public sealed record RowDifference(string Table, string Key, string Kind, string? Live, string? Rebuilt);

/// <summary>
/// Rebuild and verify. Both replay the log from position 0 into shadow tables (a schema, or a file beside the SQLite
/// database) with the projection's own code.
/// <list type="bullet">
/// <item><b>Verify</b> replays up to the live checkpoint and compares the two table sets row by row. It needs the live
/// projection to hold still meanwhile, so it runs while holding the projection's lease (the active runner, in this
/// or another process, stands by).</item>
/// <item><b>Rebuild</b> replays while the live tables keep serving and updating, then takes the lease, catches up the
/// last events and swaps the shadow tables and checkpoint in one transaction: readers see the old rows until the
/// commit and the new ones after, never an empty or half-built table.</item>
/// </list>
/// </summary>
public sealed class ProjectionMaintenance(IEventStore store, ProjectionDatabase live)
{
    public TimeSpan LeaseWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <param name="pause">Pauses the active runner of this process (a <see cref="ProjectionHost"/>), if any, until disposed.</param>
    public async Task<IReadOnlyList<RowDifference>> VerifyAsync(IProjection projection, CancellationToken ct, Func<Task<IAsyncDisposable>>? pause = null)
    {
        var shadow = live.Shadow("verify_" + projection.Name);
        await DropAsync(shadow);
        try
        {
            await using var paused = pause is null ? null : await pause();
            await using var lease = await AcquireAsync(projection, ct);
            long checkpoint;
            await using (var conn = await live.OpenAsync(ct))
                checkpoint = (await Checkpoints.ReadAsync(conn, projection.Name))?.Position ?? 0;
            await shadow.MigrateAsync([projection], ct);
            await new ProjectionRunner(store, shadow, projection).CatchUpAsync(checkpoint, null, ct);
            return await CompareAsync(projection, shadow, ct);
        }
        finally
        {
            await DropAsync(shadow);
        }
    }

    public async Task RebuildAsync(IProjection projection, IProgress<RebuildProgress>? progress, CancellationToken ct, Func<Task<IAsyncDisposable>>? pause = null)
    {
        var shadow = live.Shadow("rebuild_" + projection.Name);
        await DropAsync(shadow);
        try
        {
            await shadow.MigrateAsync([projection], ct);
            var runner = new ProjectionRunner(store, shadow, projection);
            // The events still to apply, from the live projection's own status: the ETA of the replay.
            var total = (await new ProjectionStatusQueries(store, shadow).AllAsync([projection], ct, long.MaxValue))[0].PendingEvents;
            var clock = Stopwatch.StartNew();
            long batches = 0;
            var report = progress is null ? null : new Progress<long>(position =>
            {
                var events = Math.Min(total, ++batches * runner.CatchUpBatch);
                var rate = events / Math.Max(0.001, clock.Elapsed.TotalSeconds);
                progress.Report(new RebuildProgress(projection.Name, position, events, rate, clock.Elapsed,
                    rate > 0 ? TimeSpan.FromSeconds((total - events) / rate) : null));
            });
            await runner.CatchUpAsync(long.MaxValue, report, ct);
            await using var paused = pause is null ? null : await pause();
            await using var lease = await AcquireAsync(projection, ct);
            await runner.CatchUpAsync(long.MaxValue, null, ct);
            await SwapAsync(projection, shadow, ct);
        }
        finally
        {
            await DropAsync(shadow);
        }
    }

    async Task<RunnerLease> AcquireAsync(IProjection projection, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await RunnerLease.TryAcquireAsync(live, projection.Name, ct) is { } lease) return lease;
            if (deadline.Elapsed > LeaseWait)
                throw new TimeoutException($"Projection {projection.Name} is running elsewhere and did not pause within {LeaseWait.TotalSeconds:0} s; pause its runner (ProjectionHost.PauseAsync) first.");
            await Task.Delay(100, ct);
        }
    }

    async Task<IReadOnlyList<RowDifference>> CompareAsync(IProjection projection, ProjectionDatabase shadow, CancellationToken ct)
    {
        var differences = new List<RowDifference>();
        await using var a = await live.OpenAsync(ct);
        await using var b = await shadow.OpenAsync(ct);
        foreach (var (table, key) in projection.Tables)
        {
            var keys = key.Split(',', StringSplitOptions.TrimEntries);
            var liveRows = await RowsAsync(a, table, key, keys);
            var rebuilt = await RowsAsync(b, table, key, keys);
            foreach (var (k, row) in liveRows)
            {
                if (!rebuilt.TryGetValue(k, out var other)) differences.Add(new(table, k, "only-live", row, null));
                else if (other != row) differences.Add(new(table, k, "changed", row, other));
            }
            differences.AddRange(rebuilt.Where(r => !liveRows.ContainsKey(r.Key)).Select(r => new RowDifference(table, r.Key, "only-rebuilt", null, r.Value)));
        }
        return differences;
    }

    static async Task<Dictionary<string, string>> RowsAsync(System.Data.Common.DbConnection conn, string table, string key, string[] keys)
    {
        var rows = await conn.QueryAsync($"select * from {table} order by {key}");
        return rows.Cast<IDictionary<string, object?>>().ToDictionary(
            r => string.Join("|", keys.Select(k => Format(r[k]))),
            r => string.Join("; ", r.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={Format(c.Value)}")));
    }

    static string Format(object? value) => value switch
    {
        null or DBNull => "null",
        DateTimeOffset d => d.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        DateTime d => DateTime.SpecifyKind(d, DateTimeKind.Utc).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    async Task SwapAsync(IProjection projection, ProjectionDatabase shadow, CancellationToken ct)
    {
        Checkpoint? rebuilt;
        await using (var s = await shadow.OpenAsync(ct))
            rebuilt = await Checkpoints.ReadAsync(s, projection.Name);
        await using var conn = await live.OpenAsync(ct);
        if (live.Dialect == SqlDialect.Postgres)
        {
            var retired = $"{live.Schema}__retired_{projection.Name}";
            await using var tx = await conn.BeginTransactionAsync(ct);
            await conn.ExecuteAsync($"drop schema if exists \"{retired}\" cascade; create schema \"{retired}\"", transaction: tx);
            foreach (var (table, _) in projection.Tables)
            {
                await conn.ExecuteAsync($"alter table \"{live.Schema}\".{table} set schema \"{retired}\"", transaction: tx);
                await conn.ExecuteAsync($"alter table \"{shadow.Schema}\".{table} set schema \"{live.Schema}\"", transaction: tx);
            }
            await SetCheckpointAsync(conn, tx, projection.Name, rebuilt);
            await tx.CommitAsync(ct);
            await conn.ExecuteAsync($"drop schema if exists \"{retired}\" cascade");
        }
        else
        {
            await conn.ExecuteAsync($"attach database '{shadow.SqlitePath!.Replace("'", "''")}' as shadow");
            try
            {
                await using var tx = await conn.BeginTransactionAsync(ct);
                foreach (var (table, _) in projection.Tables)
                {
                    await conn.ExecuteAsync($"delete from main.{table}", transaction: tx);
                    await conn.ExecuteAsync($"insert into main.{table} select * from shadow.{table}", transaction: tx);
                }
                await SetCheckpointAsync(conn, tx, projection.Name, rebuilt);
                await tx.CommitAsync(ct);
            }
            finally
            {
                await conn.ExecuteAsync("detach database shadow");
            }
        }
    }

    static Task SetCheckpointAsync(System.Data.Common.DbConnection conn, System.Data.Common.DbTransaction tx, string name, Checkpoint? rebuilt) =>
        conn.ExecuteAsync(
            """
            insert into projection_checkpoints (name, position, updated_at, last_event_at, error, error_position)
            values (@name, @position, @updatedAt, @lastEventAt, null, null)
            on conflict (name) do update set position = excluded.position, updated_at = excluded.updated_at,
              last_event_at = excluded.last_event_at, error = null, error_position = null
            """,
            new { name, position = rebuilt?.Position ?? 0, updatedAt = rebuilt?.UpdatedAt ?? DateTimeOffset.UtcNow, lastEventAt = rebuilt?.LastEventAt }, tx);

    static async Task DropAsync(ProjectionDatabase shadow)
    {
        if (shadow.Dialect == SqlDialect.Postgres)
        {
            await using var conn = await shadow.OpenAsync(CancellationToken.None);
            await conn.ExecuteAsync($"drop schema if exists \"{shadow.Schema}\" cascade");
            return;
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            if (File.Exists(shadow.SqlitePath + suffix)) File.Delete(shadow.SqlitePath + suffix);
    }
}
