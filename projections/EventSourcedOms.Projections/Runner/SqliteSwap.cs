using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// How a SQLite rebuild puts its tables in place without holding the database's write lock for long. The replay runs in
/// a file of its own (whose writes take no lock of the live file); the rebuilt tables then have to come into the live
/// file, and copying them in the swap's one transaction held the file's write lock — which the event store's commits
/// need too — for 2.7–6.5 s at 1M events, longer than a store commit may wait for it (5 s). Instead:
/// <list type="number">
/// <item><b>Stage</b> (the live projections keep running): each rebuilt table is copied into the live file as
/// <c>&lt;table&gt;__rebuilt</c> in key order, <see cref="CopyChunk"/> rows per transaction, then its indexes are built,
/// each in a transaction of its own. The shadow tables get triggers that note the key of every row written after that.</item>
/// <item><b>Catch up</b> (still running): the rebuild follows the log further in its own file; the rows it changed are
/// copied over in one short transaction.</item>
/// <item><b>Swap</b> (the projections paused, as before): the last changes are copied, each live table is renamed
/// <c>&lt;table&gt;__retired</c> and its rebuilt one takes its name, and the checkpoints are set — one transaction whose
/// work is the events of the last seconds, not the whole read model. The retired tables are dropped after it.</item>
/// </list>
/// SQLite index names are per database and an index cannot be renamed, so a staged index takes the other of two names
/// (<c>x</c> or <c>x__r</c>) than the live one; <see cref="ProjectionDatabase.MigrateAsync"/> does not create an index
/// of the schema again when it exists under its other name, and drops both names where the schema drops one.
/// A rebuild that fails leaves the live tables as they were; what it staged is dropped then, or by the next rebuild
/// of those read models if the process died (staged <c>__rebuilt</c> tables, or <c>__retired</c> ones after a swap).
/// </summary>
internal sealed class SqliteSwap(ProjectionDatabase live, ProjectionDatabase shadow, IReadOnlyList<(string Table, string Key)> tables)
{
    const string Staged = "__rebuilt", Retired = "__retired", Changed = "__changed";

    /// <summary>The suffix of an index's other name.</summary>
    internal const string OtherIndexSuffix = "__r";

    /// <summary>Rows copied per transaction while staging: about 50–100 ms of the live file's write lock.</summary>
    internal int CopyChunk { get; init; } = 10_000;

    static readonly Regex CreateTable = new(@"^\s*create\s+table\s+(if\s+not\s+exists\s+)?(""[^""]+""|\S+)", RegexOptions.IgnoreCase);
    static readonly Regex CreateIndex = new(@"^\s*create\s+(unique\s+)?index\s+(if\s+not\s+exists\s+)?(""[^""]+""|\S+)\s+on\s+(""[^""]+""|[^\s(]+)\s*\(", RegexOptions.IgnoreCase);

    /// <summary>
    /// A moment between two of the staging's transactions, for the writers waiting meanwhile (the store's, the projections'),
    /// which try every millisecond (<see cref="EventStore.Sqlite.SqliteBusyWait"/>); back to back, the next transaction
    /// would take the lock again before any of them woke up.
    /// </summary>
    static Task LetOthersInAsync(CancellationToken ct) => Task.Delay(2, ct);

    /// <summary>The statement with its head rewritten; one this code does not recognise fails the rebuild (run as it is, it would act on the live table).</summary>
    static string Rewrite(Regex head, string sql, MatchEvaluator rewrite) =>
        head.IsMatch(sql) ? head.Replace(sql, rewrite, 1) : throw new InvalidOperationException($"A rebuild cannot stage this statement: {sql}");

    static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    static string[] Columns(string key) => key.Split(',', StringSplitOptions.TrimEntries);

    /// <summary>
    /// Drops what a rebuild of these tables left in the live file: the retired tables after a swap, the staged ones of a
    /// rebuild that did not finish (a failure, or a crash before this rebuild).
    /// </summary>
    public async Task CleanAsync(CancellationToken ct)
    {
        await using var conn = await live.OpenAsync(ct);
        foreach (var (table, _) in tables)
            await conn.ExecuteAsync($"drop table if exists main.{Quote(table + Staged)}; drop table if exists main.{Quote(table + Retired)}");
    }

    /// <summary>Copies the shadow tables into the live file beside the live ones, builds their indexes, and starts noting changes.</summary>
    public async Task StageAsync(CancellationToken ct)
    {
        await using (var attached = await AttachAsync(ct))
        {
            var conn = attached.Connection;
            var liveIndexes = (await conn.QueryAsync<string>("select name from main.sqlite_master where type = 'index'")).ToHashSet(StringComparer.OrdinalIgnoreCase);
            // Both names on live (an older build's migration created x beside a swapped-in x__r): the staged index needs one.
            foreach (var doubled in liveIndexes.Where(i => liveIndexes.Contains(i + OtherIndexSuffix)).ToList())
            {
                await conn.ExecuteAsync($"drop index main.{Quote(doubled + OtherIndexSuffix)}");
                liveIndexes.Remove(doubled + OtherIndexSuffix);
            }
            foreach (var (table, key) in tables)
            {
                var staged = table + Staged;
                var definition = await conn.ExecuteScalarAsync<string>("select sql from shadow.sqlite_master where type = 'table' and name = @table", new { table })
                    ?? throw new InvalidOperationException($"The rebuild has no table {table}.");
                await conn.ExecuteAsync(Rewrite(CreateTable, definition, _ => $"create table main.{Quote(staged)}"));
                await CopyAsync(conn, table, key, staged, ct);
                // A key the chunks' bounds cannot order (NULL) would fall between them: count, rather than swap in fewer rows.
                var copied = await conn.ExecuteScalarAsync<long>($"select count(*) from main.{Quote(staged)}");
                var rebuilt = await conn.ExecuteScalarAsync<long>($"select count(*) from shadow.{Quote(table)}");
                if (copied != rebuilt)
                    throw new InvalidOperationException($"Copied {copied:N0} of the {rebuilt:N0} rows of {table} into the live file; the rebuild stops before its swap.");
                var indexes = await conn.QueryAsync<(string Name, string Sql)>(
                    "select name, sql from shadow.sqlite_master where type = 'index' and tbl_name = @table and sql is not null", new { table });
                foreach (var (name, sql) in indexes)
                {
                    var stagedName = liveIndexes.Contains(name) ? name + OtherIndexSuffix : name;
                    await conn.ExecuteAsync(Rewrite(CreateIndex, sql, m => $"create {m.Groups[1].Value}index main.{Quote(stagedName)} on {Quote(staged)} ("), commandTimeout: 0);
                    await LetOthersInAsync(ct);
                }
                // The copy went to the live file's log; fold it into the file while nothing else is big (the read models'
                // own commits do not checkpoint, and the store's would then have all of it to do).
                await conn.ExecuteAsync("pragma main.wal_checkpoint(passive)");
            }
        }
        await using var shadowConn = await shadow.OpenAsync(ct);
        foreach (var (table, key) in tables)
        {
            var changed = Quote(table + Changed);
            // Not "insert or ignore": the statement that fires a trigger imposes its own conflict handling on the trigger's
            // (an upsert's made a key already noted fail).
            string Note(string row)
            {
                var columns = Columns(key);
                return $"insert into {changed} select {string.Join(", ", columns.Select(c => $"{row}.{c}"))} " +
                       $"where not exists (select 1 from {changed} where {string.Join(" and ", columns.Select(c => $"{c} = {row}.{c}"))});";
            }
            await shadowConn.ExecuteAsync(
                $"""
                create table {changed} ({key}, primary key ({key})) without rowid;
                create trigger {Quote(table + Changed + "_insert")} after insert on {Quote(table)} begin {Note("new")} end;
                create trigger {Quote(table + Changed + "_update")} after update on {Quote(table)} begin {Note("old")} {Note("new")} end;
                create trigger {Quote(table + Changed + "_delete")} after delete on {Quote(table)} begin {Note("old")} end;
                """);
        }
    }

    /// <summary>
    /// One table's rows in key order, <see cref="CopyChunk"/> per transaction: the bounds are every chunk's last key,
    /// read first from the key's index alone, so that each chunk is a range scan (an offset would step over all the rows before it).
    /// </summary>
    async Task CopyAsync(DbConnection conn, string table, string key, string staged, CancellationToken ct)
    {
        var bounds = new List<object[]>();
        await using (var reader = await conn.ExecuteReaderAsync(new CommandDefinition($"select {key} from shadow.{Quote(table)} order by {key}", cancellationToken: ct)))
        {
            long rows = 0;
            while (await reader.ReadAsync(ct))
            {
                if (++rows % CopyChunk != 0) continue;
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                bounds.Add(values);
            }
        }
        object[]? lower = null;
        foreach (var upper in bounds.Append(null))
        {
            var parameters = new DynamicParameters();
            string Range(string name, object[] values)
            {
                for (var i = 0; i < values.Length; i++) parameters.Add($"{name}{i}", values[i]);
                return string.Join(", ", values.Select((_, i) => $"@{name}{i}"));
            }
            var where = new List<string>();
            if (lower is not null) where.Add($"({key}) > ({Range("after", lower)})");
            if (upper is not null) where.Add($"({key}) <= ({Range("upTo", upper)})");
            await using var tx = await conn.BeginTransactionAsync(ct);
            await conn.ExecuteAsync(
                $"insert into main.{Quote(staged)} select * from shadow.{Quote(table)}{(where.Count > 0 ? " where " + string.Join(" and ", where) : "")} order by {key}",
                parameters, tx, commandTimeout: 0);
            await tx.CommitAsync(ct);
            lower = upper;
            await LetOthersInAsync(ct);
        }
    }

    /// <summary>Copies the rows the rebuild changed since staging (or since the last call) into the staged tables.</summary>
    public Task CatchUpAsync(CancellationToken ct) => CopyChangesAsync(null, ct);

    /// <summary>
    /// The last changes copied, the staged tables renamed into place and <paramref name="checkpoints"/> written, in one
    /// transaction. The retired tables are left to <see cref="CleanAsync"/>, after the projections have resumed.
    /// </summary>
    public Task SwapAsync(Func<DbConnection, DbTransaction, Task> checkpoints, CancellationToken ct) => CopyChangesAsync(async (conn, tx) =>
    {
        foreach (var (table, _) in tables)
            await conn.ExecuteAsync(
                $"alter table main.{Quote(table)} rename to {Quote(table + Retired)}; alter table main.{Quote(table + Staged)} rename to {Quote(table)}",
                transaction: tx);
        await checkpoints(conn, tx);
    }, ct);

    /// <summary>Copies the changed rows, then does <paramref name="then"/>, in one transaction.</summary>
    async Task CopyChangesAsync(Func<DbConnection, DbTransaction, Task>? then, CancellationToken ct)
    {
        await using var attached = await AttachAsync(ct);
        var conn = attached.Connection;
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var (table, key) in tables)
        {
            var changed = $"shadow.{Quote(table + Changed)}";
            await conn.ExecuteAsync(
                $"""
                delete from main.{Quote(table + Staged)} where ({key}) in (select {key} from {changed});
                insert into main.{Quote(table + Staged)} select * from shadow.{Quote(table)} where ({key}) in (select {key} from {changed});
                delete from {changed};
                """, transaction: tx, commandTimeout: 0);
        }
        if (then is not null) await then(conn, tx);
        await tx.CommitAsync(ct);
    }

    /// <summary>A live connection with the shadow file attached as <c>shadow</c>, detached again before it goes back to the pool.</summary>
    async Task<Attached> AttachAsync(CancellationToken ct)
    {
        var conn = await live.OpenAsync(ct);
        try
        {
            await conn.ExecuteAsync("attach database @path as shadow", new { path = shadow.SqlitePath });
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
        return new Attached(conn);
    }

    sealed class Attached(DbConnection connection) : IAsyncDisposable
    {
        public DbConnection Connection => connection;

        public async ValueTask DisposeAsync()
        {
            try
            {
                await connection.ExecuteAsync("detach database shadow");
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The schema script for a database where a rebuild may have swapped in indexes under their other name: without the
    /// <c>create index if not exists</c> statements whose index exists under that name (run as they are, each would build
    /// the same index a second time), and with each <c>drop index if exists</c> dropping both names.
    /// </summary>
    internal static string WithSwappedIndexes(string schema, IReadOnlySet<string> indexes)
    {
        schema = Regex.Replace(schema, @"create\s+(unique\s+)?index\s+if\s+not\s+exists\s+(\w+)\s+on\s[^;]*;",
            m => indexes.Contains(m.Groups[2].Value + OtherIndexSuffix) ? "" : m.Value, RegexOptions.IgnoreCase);
        return Regex.Replace(schema, @"drop\s+index\s+if\s+exists\s+(\w+)\s*;",
            m => $"{m.Value} drop index if exists {m.Groups[1].Value}{OtherIndexSuffix};", RegexOptions.IgnoreCase);
    }
}
