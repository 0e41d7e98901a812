using System.Diagnostics;
using Dapper;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>A rebuild's progress: where it is, how many events it applied, how fast, and when it should be done.</summary>
public sealed record RebuildProgress(string Projection, long Position, long Events, double EventsPerSecond, TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>
/// Progress handed on as it is reported, on the reporting thread and in order (<see cref="Progress{T}"/> posts each report
/// to the thread pool, to arrive whenever: after the work has returned, or two at once).
/// </summary>
public sealed class ImmediateProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>
/// Where a rebuild's time went: replaying the log into the shadow tables (<paramref name="Events"/> log events read),
/// finishing them (keys and indexes built, vacuum and analyse), SQLite: copying them into the live file and catching up
/// once more (<paramref name="Stage"/>, see <see cref="SqliteSwap"/>), and taking the leases, catching up and swapping
/// (<paramref name="Swap"/>: the time the projections were paused).
/// </summary>
public sealed record RebuildTimes(long Events, TimeSpan Replay, TimeSpan Finish, TimeSpan Swap, TimeSpan Stage = default)
{
    /// <summary>The phases as the worker and the bench print them.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"replay of {Events:N0} events {Replay.TotalSeconds:N1} s, keys, indexes and vacuum {Finish.TotalSeconds:N1} s, {(Stage > TimeSpan.Zero ? $"copy into the live file {Stage.TotalSeconds:N1} s, " : "")}catch-up and swap {Swap.TotalSeconds:N1} s");
}

/// <summary>A rebuild of this read model is already running, in this process or another; nothing was changed.</summary>
public sealed class RebuildRunningException(string projection)
    : InvalidOperationException($"A rebuild of {projection} is already running (in this process or another); wait until it has finished.")
{
    public string Projection { get; } = projection;
}

/// <summary>A row that differs between the live tables and a rebuild from the log: missing, extra, or changed.</summary>
public sealed record RowDifference(string Table, string Key, string Kind, string? Live, string? Rebuilt);

/// <summary>
/// Rebuild and verify. Both replay the log from position 0 into shadow tables (a schema, or a file beside the SQLite
/// database) with the projections' own code, several projections with one read of the log (<see cref="SharedCatchUp"/>).
/// While they replay, the shadow tables have only the indexes the projectors' own writes need (keys, and
/// <see cref="IProjection.WriteIndexes"/>): building an index once from all its rows is much cheaper than keeping it
/// up to date row by row (on PostgreSQL index upkeep was over a third of the server's time in a rebuild).
/// <list type="bullet">
/// <item><b>Verify</b> replays up to the live checkpoint and compares the two table sets row by row (by key: it builds
/// no other index). It needs the live projection to hold still meanwhile, so it runs while holding the projection's
/// lease (the active runner, in this or another process, stands by).</item>
/// <item><b>Rebuild</b> replays while the live tables keep serving and updating, builds the other indexes, then takes
/// the leases, catches up the last events and swaps the shadow tables and checkpoints in one transaction: readers see
/// the old rows until the commit and the new ones after, never an empty or half-built table.</item>
/// </list>
/// </summary>
public sealed class ProjectionMaintenance(IEventStore store, ProjectionDatabase live)
{
    public TimeSpan LeaseWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// PostgreSQL: connections that build a rebuild's deferred indexes and vacuum its tables at once, a table each. An
    /// index build or a vacuum keeps mostly one server core busy, and the rebuild's own process is idle meanwhile.
    /// </summary>
    public int FinishingConnections { get; init; } = 2;

    /// <summary>A rebuild's events per page and transaction (<see cref="SharedCatchUp.CatchUpBatch"/>); tests make orders span batches with a small one.</summary>
    internal int RebuildBatch { get; init; } = 5_000;

    /// <summary>SQLite: rows per transaction while a rebuild copies its tables into the live file (<see cref="SqliteSwap.CopyChunk"/>).</summary>
    internal int SqliteCopyChunk { get; init; } = 10_000;

    /// <summary>
    /// Tests: called as a rebuild reaches a step, with its name: <c>"staged"</c> (SQLite: the tables copied into the live
    /// file, before the rebuild follows the log further) and <c>"pausing"</c> (before it pauses the projections to swap).
    /// </summary>
    internal Func<string, Task>? StepReached { get; init; }

    /// <summary>
    /// Clears the error recorded for each projection that a poison event stopped (once a fixed projector is deployed),
    /// so that it retries that event: the hosts running it pick it up again within 5 × their lease retry. Returns the
    /// checkpoints as they were, with the errors cleared (null for a projection that has no checkpoint yet).
    /// </summary>
    public async Task<IReadOnlyList<Checkpoint?>> ResumeAsync(IReadOnlyList<IProjection> projections, CancellationToken ct)
    {
        var before = new List<Checkpoint?>();
        await using var conn = await live.OpenAsync(ct);
        foreach (var projection in projections)
        {
            before.Add(await Checkpoints.ReadAsync(conn, projection.Name));
            await Checkpoints.ResetErrorAsync(conn, projection.Name);
        }
        return before;
    }

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
            await DeferIndexesAsync(shadow, [projection], ct);
            await new SharedCatchUp(store, shadow, [projection]).CatchUpAsync(checkpoint, null, ct);
            return await CompareAsync(projection, shadow, ct);
        }
        finally
        {
            await DropAsync(shadow);
        }
    }

    public Task<RebuildTimes> RebuildAsync(IProjection projection, IProgress<RebuildProgress>? progress, CancellationToken ct, Func<Task<IAsyncDisposable>>? pause = null) =>
        RebuildAsync([projection], progress, ct, pause is null ? null : _ => pause());

    /// <summary>
    /// Rebuilds several projections with one read of the log, and swaps them all in one transaction.
    /// <paramref name="progress"/> reports whenever all of them have written further: the log events read (of any of them), the rate,
    /// and an estimate of the time left until the position the live projections had reached.
    /// </summary>
    /// <param name="pause">Pauses one projection's active runner in this process, if any, until disposed.</param>
    /// <exception cref="RebuildRunningException">Another rebuild of one of them is running, in this process or another.</exception>
    public async Task<RebuildTimes> RebuildAsync(IReadOnlyList<IProjection> projections, IProgress<RebuildProgress>? progress, CancellationToken ct,
        Func<IProjection, Task<IAsyncDisposable>>? pause = null)
    {
        // One rebuild of a read model at a time: two would share its shadow (and, on SQLite, its staged tables) and
        // break each other's.
        var rebuilding = new List<RunnerLease>();
        try
        {
            foreach (var projection in projections)
                rebuilding.Add(await RunnerLease.TryAcquireAsync(live, "rebuild_" + projection.Name, ct) ?? throw new RebuildRunningException(projection.Name));
            return await RebuildCoreAsync(projections, progress, ct, pause);
        }
        finally
        {
            foreach (var lease in rebuilding) await lease.DisposeAsync();
        }
    }

    async Task<RebuildTimes> RebuildCoreAsync(IReadOnlyList<IProjection> projections, IProgress<RebuildProgress>? progress, CancellationToken ct,
        Func<IProjection, Task<IAsyncDisposable>>? pause)
    {
        var name = string.Join(",", projections.Select(p => p.Name));
        var shadow = live.Shadow(projections.Count == 1 ? "rebuild_" + projections[0].Name : $"rebuild_{(uint)StableHash(name):x8}");
        await DropAsync(shadow);
        var sqlite = live.Dialect == SqlDialect.Sqlite
            ? new SqliteSwap(live, shadow, [.. projections.SelectMany(p => p.Tables)]) { CopyChunk = SqliteCopyChunk }
            : null;
        if (sqlite is not null) await sqlite.CleanAsync(ct);
        try
        {
            await shadow.MigrateAsync(projections, ct);
            var deferred = await DeferIndexesAsync(shadow, projections, ct);
            deferred = [.. await DeferKeysAsync(shadow, projections, ct), .. deferred];
            var catchUp = new SharedCatchUp(store, shadow, projections) { CatchUpBatch = RebuildBatch };
            // The ETA aims at the live projections' checkpoints (where the log's end was when they last wrote): positions
            // are sparse, so this is an estimate, but free; counting the events first would read the whole log once more.
            long target = 0;
            await using (var conn = await live.OpenAsync(ct))
                foreach (var projection in projections)
                    target = Math.Max(target, (await Checkpoints.ReadAsync(conn, projection.Name))?.Position ?? 0);
            var clock = Stopwatch.StartNew();
            long first = -1;
            var report = progress is null ? null : new ImmediateProgress<long>(position =>
            {
                if (first < 0) first = position;
                var events = catchUp.EventsRead;
                var seconds = Math.Max(0.001, clock.Elapsed.TotalSeconds);
                var perSecond = (position - first) / seconds;  // positions, not events
                progress.Report(new RebuildProgress(name, position, events, events / seconds, clock.Elapsed,
                    target > position && perSecond > 0 ? TimeSpan.FromSeconds((target - position) / perSecond) : null));
            });
            await catchUp.CatchUpAsync(long.MaxValue, report, ct);
            var replay = clock.Elapsed;
            var events = catchUp.EventsRead;
            await FinishTablesAsync(shadow, projections, deferred, FinishingConnections, ct);
            var finish = clock.Elapsed - replay;
            if (sqlite is not null)
            {
                await sqlite.StageAsync(ct);
                if (StepReached is not null) await StepReached("staged");
                await catchUp.CatchUpAsync(long.MaxValue, null, ct);
                await sqlite.CatchUpAsync(ct);
            }
            var stage = sqlite is null ? TimeSpan.Zero : clock.Elapsed - replay - finish;
            if (StepReached is not null) await StepReached("pausing");
            var paused = new List<IAsyncDisposable>();
            var leases = new List<RunnerLease>();
            try
            {
                foreach (var projection in projections)
                {
                    if (pause is not null) paused.Add(await pause(projection));
                    leases.Add(await AcquireAsync(projection, ct));
                }
                await catchUp.CatchUpAsync(long.MaxValue, null, ct);
                await SwapAsync(projections, shadow, sqlite, ct);
                return new RebuildTimes(events, replay, finish, clock.Elapsed - replay - finish - stage, stage);
            }
            finally
            {
                foreach (var lease in leases) await lease.DisposeAsync();
                foreach (var handle in paused) await handle.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                // The retired tables after a swap, the staged ones of a rebuild that failed.
                if (sqlite is not null) await sqlite.CleanAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or IOException)
            {
                // Left for the next rebuild of these read models, which drops them first; a swap is done, and the error
                // that ended a failed rebuild matters more.
            }
            await DropAsync(shadow);
        }
    }

    static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text) hash = unchecked(hash * 31 + c);
        return hash;
    }

    /// <summary>
    /// A secondary index (or an insert-only table's key) of a shadow table, dropped while the table is filled;
    /// <paramref name="Definition"/> builds it again afterwards. For a SQLite key, <paramref name="Name"/> is the keyed
    /// table set aside, and the definition copies the rows into it and gives it the table's name back.
    /// </summary>
    sealed record DeferredIndex(string Name, string TableName, string Definition);

    /// <summary>
    /// Drops the indexes of the projections' shadow tables that their writes do not need: not a key, not unique (an upsert's
    /// conflict target), not named in <see cref="IProjection.WriteIndexes"/>. Returns their definitions.
    /// </summary>
    static async Task<IReadOnlyList<DeferredIndex>> DeferIndexesAsync(ProjectionDatabase shadow, IReadOnlyList<IProjection> projections, CancellationToken ct)
    {
        var tables = projections.SelectMany(p => p.Tables.Select(t => t.Table)).ToArray();
        var keep = projections.SelectMany(p => p.WriteIndexes).ToHashSet(StringComparer.Ordinal);
        await using var conn = await shadow.OpenAsync(ct);
        var indexes = shadow.Dialect == SqlDialect.Postgres
            ? await conn.QueryAsync<DeferredIndex>(
                """
                select i.relname as Name, t.relname as TableName, pg_get_indexdef(x.indexrelid) as Definition
                from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace
                where n.nspname = @schema and t.relname = any(@tables) and not x.indisunique and not x.indisprimary
                """, new { schema = shadow.Schema, tables })
            // SQLite: indexes made by create index (those of keys and unique constraints have no SQL), not unique.
            : (await conn.QueryAsync<DeferredIndex>(
                "select name as Name, tbl_name as TableName, sql as Definition from sqlite_master where type = 'index' and sql is not null and tbl_name in (select value from json_each(@tables))",
                new { tables = System.Text.Json.JsonSerializer.Serialize(tables) }))
              .Where(i => !i.Definition.TrimStart().StartsWith("create unique", StringComparison.OrdinalIgnoreCase));
        var deferred = indexes.Where(i => !keep.Contains(i.Name)).ToList();
        foreach (var index in deferred) await conn.ExecuteAsync($"drop index \"{index.Name}\"");
        return deferred;
    }

    /// <summary>
    /// Takes the keys off the projections' insert-only tables (<see cref="IProjection.InsertOnlyTables"/>) in the shadow,
    /// which its batches then fill with plain inserts (<see cref="ProjectionDatabase.KeylessTables"/>). Returns how to put
    /// each key back, first when the table is finished (before the swap, and before the last catch-up, whose writes are
    /// upserts again); a key that came twice fails the rebuild there.
    /// <list type="bullet">
    /// <item>PostgreSQL: the primary key is dropped and added again. Measured on the 1M-event store: an upsert into the
    /// timeline with its key checked and kept per row took 10.8 s of the server's statement time.</item>
    /// <item>SQLite cannot add a key to a table: the keyed table is set aside under another name, an empty table without
    /// key takes its place, and at the end its rows go into the keyed one in key order, which then takes the name back.
    /// Order SKUs are keyed by SKU, so every batch inserted into pages all over the table's B-tree: a third of the order
    /// summary's SQLite rebuild at 1M (50.8 → 32.5 s without that table).</item>
    /// </list>
    /// </summary>
    static async Task<IReadOnlyList<DeferredIndex>> DeferKeysAsync(ProjectionDatabase shadow, IReadOnlyList<IProjection> projections, CancellationToken ct)
    {
        shadow.KeylessTables.Clear();
        var tables = projections.SelectMany(p => p.InsertOnlyTables).Distinct().ToArray();
        if (tables.Length == 0) return [];
        await using var conn = await shadow.OpenAsync(ct);
        var deferred = new List<DeferredIndex>();
        if (shadow.Dialect == SqlDialect.Sqlite)
        {
            foreach (var table in tables)
            {
                var key = projections.SelectMany(p => p.Tables).First(t => t.Table == table).Key;
                var keyed = table + "__keyed";
                await conn.ExecuteAsync($"alter table {table} rename to {keyed}; create table {table} as select * from {keyed} where 0");
                shadow.KeylessTables.Add(table);
                deferred.Add(new DeferredIndex(keyed, table,
                    $"insert into {keyed} select * from {table} order by {key}; drop table {table}; alter table {keyed} rename to {table}"));
            }
            return deferred;
        }
        var keys = (await conn.QueryAsync<(string Name, string Table, string Definition)>(
            """
            select c.conname, t.relname, pg_get_constraintdef(c.oid)
            from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
            where n.nspname = @schema and t.relname = any(@tables) and c.contype = 'p'
            """, new { schema = shadow.Schema, tables })).ToList();
        foreach (var (name, table, definition) in keys)
        {
            await conn.ExecuteAsync($"alter table {table} drop constraint \"{name}\"");
            shadow.KeylessTables.Add(table);
            deferred.Add(new DeferredIndex(name, table, $"alter table {table} add constraint \"{name}\" {definition}"));
        }
        return deferred;
    }

    /// <summary>
    /// After the replay, table by table: its deferred indexes built, and (PostgreSQL) the table vacuumed and analysed
    /// before it goes live. Never analysed, the new tables are planned from guesses until autovacuum gets to them; never
    /// vacuumed, the first reads of each page set its hint bits (writing it again) and autovacuum then visits every table
    /// at once, right after the swap, while dashboards read and projectors write. The replay's dead row versions (an
    /// order's row is rewritten by each of its batches) go with it. PostgreSQL: <paramref name="connections"/> tables at
    /// once, the largest first; SQLite (one writer): one after another.
    /// </summary>
    static async Task FinishTablesAsync(ProjectionDatabase shadow, IReadOnlyList<IProjection> projections, IReadOnlyList<DeferredIndex> deferred,
        int connections, CancellationToken ct)
    {
        var tables = projections.SelectMany(p => p.Tables.Select(t => t.Table)).Distinct().ToList();
        var postgres = shadow.Dialect == SqlDialect.Postgres;
        if (postgres)
        {
            await using var conn = await shadow.OpenAsync(ct);
            var sizes = (await conn.QueryAsync<(string Table, long Bytes)>(
                    "select c.relname, pg_total_relation_size(c.oid) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = @schema and c.relname = any(@tables)",
                    new { schema = shadow.Schema, tables = tables.ToArray() }))
                .ToDictionary(s => s.Table, s => s.Bytes);
            tables = [.. tables.OrderByDescending(t => sizes.GetValueOrDefault(t))];
        }
        var queue = new System.Collections.Concurrent.ConcurrentQueue<string>(tables);
        async Task FinishAsync()
        {
            await using var conn = await shadow.OpenAsync(ct);
            while (queue.TryDequeue(out var table))
            {
                foreach (var index in deferred.Where(i => i.TableName == table))
                {
                    // A transaction of its own: a SQLite key put back in several statements is rolled back whole if one fails.
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await conn.ExecuteAsync(index.Definition, transaction: tx, commandTimeout: 0);
                    await tx.CommitAsync(ct);
                }
                if (postgres) await conn.ExecuteAsync($"vacuum (analyze) {table}", commandTimeout: 0);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, postgres ? Math.Max(1, connections) : 1).Select(_ => FinishAsync()));
        shadow.KeylessTables.Clear();  // every key is back: the last catch-up upserts
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

    async Task SwapAsync(IReadOnlyList<IProjection> projections, ProjectionDatabase shadow, SqliteSwap? sqlite, CancellationToken ct)
    {
        var rebuilt = new Dictionary<string, Checkpoint?>();
        await using (var s = await shadow.OpenAsync(ct))
            foreach (var projection in projections)
                rebuilt[projection.Name] = await Checkpoints.ReadAsync(s, projection.Name);
        if (sqlite is not null)
        {
            await sqlite.SwapAsync(async (conn, tx) =>
            {
                foreach (var projection in projections) await SetCheckpointAsync(conn, tx, projection.Name, rebuilt[projection.Name]);
            }, ct);
        }
        else
        {
            await using var conn = await live.OpenAsync(ct);
            var retired = $"{shadow.Schema}__retired";
            await using var tx = await conn.BeginTransactionAsync(ct);
            await conn.ExecuteAsync($"drop schema if exists \"{retired}\" cascade; create schema \"{retired}\"", transaction: tx);
            foreach (var projection in projections)
            {
                foreach (var (table, _) in projection.Tables)
                {
                    await conn.ExecuteAsync($"alter table \"{live.Schema}\".{table} set schema \"{retired}\"", transaction: tx);
                    await conn.ExecuteAsync($"alter table \"{shadow.Schema}\".{table} set schema \"{live.Schema}\"", transaction: tx);
                }
                await SetCheckpointAsync(conn, tx, projection.Name, rebuilt[projection.Name]);
            }
            await tx.CommitAsync(ct);
            await conn.ExecuteAsync($"drop schema if exists \"{retired}\" cascade");
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
