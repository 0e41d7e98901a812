using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using EventSourcedOms.EventStore.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace EventSourcedOms.Projections.Runner;

public enum SqlDialect
{
    Postgres,
    Sqlite,
}

/// <summary>
/// Where read models live: a PostgreSQL database (and schema) or a SQLite file — by default the same database as the
/// events. Each read model ships its schema per dialect (<c>schema.postgres.sql</c>, <c>schema.sqlite.sql</c>); the
/// statements of projectors and queries are written once, in SQL both dialects accept (upserts with ON CONFLICT).
/// </summary>
public sealed class ProjectionDatabase
{
    readonly Func<DbConnection> _connect;

    ProjectionDatabase(SqlDialect dialect, Func<DbConnection> connect, string? schema, string? sqlitePath = null)
    {
        Dialect = dialect;
        _connect = connect;
        Schema = schema;
        SqlitePath = sqlitePath;
    }

    /// <summary>The SQLite file (null for PostgreSQL).</summary>
    public string? SqlitePath { get; }

    public SqlDialect Dialect { get; }

    /// <summary>PostgreSQL schema holding the read models (null for SQLite).</summary>
    public string? Schema { get; }

    static ProjectionDatabase() => SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());

    public static ProjectionDatabase Postgres(string connectionString, string schema = "oms_read")
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema };
        // Named in pg_stat_activity (unless the connection string names them): an operator sees which sessions are whose.
        csb.ApplicationName ??= $"oms read models ({schema})";
        // Read-model commits wait for no WAL flush (synchronous_commit = off): a server crash can take only the newest of
        // them, each whole (rows and checkpoint in one transaction), so the projection resumes from an older checkpoint
        // and applies those events again. The events are the store's, committed durably on its own connections; the
        // WAL is written in order, so any later durable commit makes these durable too. Saves a WAL flush per batch and
        // projection: the lag behind a busy store, where those flushes queue behind the store's own.
        csb.Options = $"{csb.Options} -c synchronous_commit=off".Trim();
        // The same few statements run all the time (each table's batch upsert, the checkpoint, the dashboard queries):
        // prepared on each connection after a few uses, the server parses and plans them once instead of on every call
        // (planning alone was 0.25–0.47 ms of a list query). Pooled connections keep no session state of ours (leases
        // use connections of their own), so they are not reset on close, which keeps those prepared statements.
        if (csb.MaxAutoPrepare == 0) csb.MaxAutoPrepare = 64;
        csb.NoResetOnClose = true;
        var dataSource = NpgsqlDataSource.Create(csb);
        // Leases hold session-level advisory locks: their connection must really close (a pooled one would keep the lock).
        var unpooled = new NpgsqlConnectionStringBuilder(csb.ConnectionString) { Pooling = false }.ConnectionString;
        var shadows = new ConcurrentDictionary<string, ProjectionDatabase>(StringComparer.Ordinal);
        return new ProjectionDatabase(SqlDialect.Postgres, dataSource.CreateConnection, schema)
        {
            _unpooled = () => new NpgsqlConnection(unpooled),
            _clearPool = () =>
            {
                dataSource.Clear();
                foreach (var shadow in shadows.Values) shadow.ClearPool();
            },
            // One per name for the process's life: each has its own pool, and a verify run every few minutes made a new one
            // (whose idle connections stayed open for minutes) each time.
            _shadow = name => shadows.GetOrAdd(name, n => Postgres(connectionString, $"{schema}__{n}")),
        };
    }

    Func<DbConnection>? _unpooled;
    Action? _clearPool;

    /// <summary>
    /// After a connection failure, or when done with the database: closes the idle pooled connections (PostgreSQL; its
    /// shadows' too). A server restart breaks every one of them, and Npgsql does not check a pooled connection before
    /// handing it out, so each would fail one more call after the server is back.
    /// </summary>
    public void ClearPool() => _clearPool?.Invoke();
    Func<string, ProjectionDatabase>? _shadow;

    /// <summary>
    /// Tables of this (shadow) database that a rebuild fills without their key (PostgreSQL: the primary key dropped; SQLite:
    /// an unkeyed table in place of the keyed one): they hold rows that are only ever inserted
    /// (<see cref="IProjection.InsertOnlyTables"/>), which are then written without a conflict check, and the key is put
    /// back at the end (<see cref="ProjectionMaintenance"/>). Empty otherwise.
    /// </summary>
    internal HashSet<string> KeylessTables { get; } = new(StringComparer.Ordinal);

    /// <summary>A scratch database beside this one (a schema, or a file next to the SQLite file) for rebuilds and checks.</summary>
    public ProjectionDatabase Shadow(string name) => _shadow?.Invoke(name) ?? Sqlite($"{SqlitePath}.{name}");

    /// <summary>A connection of its own, closed for real when disposed (PostgreSQL); the usual one otherwise.</summary>
    internal async Task<DbConnection> OpenUnpooledAsync(CancellationToken ct)
    {
        if (_unpooled is null) return await OpenAsync(ct);
        var conn = _unpooled();
        await conn.OpenAsync(ct);
        return conn;
    }

    public static ProjectionDatabase Sqlite(string path)
    {
        var cs = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        return new ProjectionDatabase(SqlDialect.Sqlite, () => new SqliteConnection(cs), null, Path.GetFullPath(path));
    }

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var conn = _connect();
        await conn.OpenAsync(ct);
        // synchronous = normal: in WAL mode a read-model commit then waits for no fsync of its own. A power loss can
        // only take the newest read-model commits, each whole (rows and checkpoint together), so the projection
        // resumes from an older checkpoint and applies those events again; the events they came from were made
        // durable by the store's own commits (synchronous = full on its connection) before any reader saw them.
        // wal_autocheckpoint = 0: no read-model commit checkpoints the log; SqliteWriteGroup does, in the background.
        if (Dialect == SqlDialect.Sqlite)
        {
            await conn.ExecuteAsync("pragma journal_mode = wal; pragma synchronous = normal; pragma wal_autocheckpoint = 0;");
            SqliteBusyWait.Install((SqliteConnection)conn, TimeSpan.FromSeconds(30));
        }
        return conn;
    }

    /// <summary>
    /// Writes one batch (its rows and its checkpoint) in a transaction and commits it. PostgreSQL: a transaction of its own
    /// (projections write in parallel). SQLite: the batches of this process's projections that are ready together share
    /// one transaction, each in a savepoint (<see cref="SqliteWriteGroup"/>): one acquisition of the file's write lock and
    /// one commit instead of one per projection, and a batch that fails still fails alone.
    /// </summary>
    /// <param name="writer">PostgreSQL: the connection of the writer this batch is from, kept across its batches (<see cref="WriterConnection"/>); null: one from the pool.</param>
    internal async Task WriteAsync(Func<DbConnection, DbTransaction, Task> write, CancellationToken ct, WriterConnection? writer = null)
    {
        if (Dialect == SqlDialect.Sqlite)
        {
            await SqliteWriteGroup.For(SqlitePath!).WriteAsync(this, write, ct);
            return;
        }
        if (writer is null)
        {
            await using var conn = await OpenAsync(ct);
            await CommitAsync(conn);
            return;
        }
        try
        {
            await CommitAsync(await writer.OpenAsync(ct));
        }
        catch
        {
            await writer.DisposeAsync();  // possibly broken: the next batch opens another
            throw;
        }

        async Task CommitAsync(DbConnection conn)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await write(conn, tx);
            await tx.CommitAsync(ct);
        }
    }

    /// <summary>
    /// The connection one projection's writer keeps for all its batches (PostgreSQL), instead of taking whichever
    /// connection the pool has idle. The pool hands its idle connections out in turn, so every projection's batches went
    /// to server processes that had last written other projections' tables; kept, each writer's server process writes
    /// only its own projection's tables. Measured (order summary lag at 1,000 orders/s, four alternating runs each):
    /// p50 44.8 → 37.8 ms, p99 147 → 130 ms. A connection that fails is dropped; the next batch opens another.
    /// </summary>
    internal sealed class WriterConnection(ProjectionDatabase database) : IAsyncDisposable
    {
        DbConnection? _connection;

        public async Task<DbConnection> OpenAsync(CancellationToken ct) => _connection ??= await database.OpenAsync(ct);

        /// <summary>
        /// Opens the connection ahead of the first batch (PostgreSQL) and has its server process load what it needs to
        /// know about <paramref name="tables"/> and their indexes. Left to the first batch, this made the first events
        /// after a start wait (order summary, live: 130 ms to open, then the write). A failure is left to that batch.
        /// </summary>
        public async Task PrimeAsync(IEnumerable<string> tables, CancellationToken ct)
        {
            if (database.Dialect != SqlDialect.Postgres) return;
            try
            {
                var conn = await OpenAsync(ct);
                await conn.ExecuteAsync(new CommandDefinition(string.Join("; ", tables.Select(t => $"select * from {t} limit 0")), cancellationToken: ct));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await DisposeAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection is { } conn)
            {
                _connection = null;
                await conn.DisposeAsync();
            }
        }
    }

    /// <summary>Creates the schema, the checkpoint table and every read model's tables; safe to run from several processes.</summary>
    public async Task MigrateAsync(IEnumerable<IProjection> projections, CancellationToken ct)
    {
        await using var conn = await OpenAsync(ct);
        if (Dialect == SqlDialect.Postgres)
        {
            // Serialise concurrent migrations (two API processes starting together) on a lock of their own.
            await conn.ExecuteAsync("select pg_advisory_lock(hashtext('oms_read_migrate'))");
            await conn.ExecuteAsync($"create schema if not exists \"{Schema}\"");
        }
        try
        {
            await conn.ExecuteAsync(Sql("Runner", "checkpoints"));
            foreach (var projection in projections)
            {
                var existed = new List<bool>();
                foreach (var (table, _) in projection.Tables) existed.Add(await TableExistsAsync(conn, table));
                var schema = Sql(projection.Folder, "schema");
                if (Dialect == SqlDialect.Sqlite)
                    schema = SqliteSwap.WithSwappedIndexes(schema, (await conn.QueryAsync<string>("select name from sqlite_master where type = 'index'")).ToHashSet(StringComparer.OrdinalIgnoreCase));
                await conn.ExecuteAsync(schema);
                foreach (var (table, column, definition) in projection.AddedColumns)
                    if (!await ColumnExistsAsync(conn, table, column))
                        await conn.ExecuteAsync($"alter table {table} add column {column} {definition}");
                if (existed.Contains(true) && existed.Contains(false)) await ResetAsync(conn, projection);
            }
        }
        finally
        {
            if (Dialect == SqlDialect.Postgres) await conn.ExecuteAsync("select pg_advisory_unlock(hashtext('oms_read_migrate'))");
        }
    }

    Task<bool> TableExistsAsync(DbConnection conn, string table) => Dialect == SqlDialect.Postgres
        ? conn.ExecuteScalarAsync<bool>("select exists (select 1 from information_schema.tables where table_schema = @schema and table_name = @table)", new { schema = Schema, table })
        : conn.ExecuteScalarAsync<bool>("select count(*) > 0 from sqlite_master where type = 'table' and name = @table", new { table });

    Task<bool> ColumnExistsAsync(DbConnection conn, string table, string column) => Dialect == SqlDialect.Postgres
        ? conn.ExecuteScalarAsync<bool>("select exists (select 1 from information_schema.columns where table_schema = @schema and table_name = @table and column_name = @column)",
            new { schema = Schema, table, column })
        : conn.ExecuteScalarAsync<bool>("select count(*) > 0 from pragma_table_info(@table) where name = @column", new { table, column });

    /// <summary>
    /// A projection that gained a table (a new version added pre-aggregated rows) starts over: its tables are emptied and
    /// its checkpoint removed in one transaction, so its runner projects the log again from the start and fills them all.
    /// Without this the new table would only count what changes from now on. (Stop runners of the old version first.)
    /// </summary>
    static async Task ResetAsync(DbConnection conn, IProjection projection)
    {
        await using var tx = await conn.BeginTransactionAsync();
        foreach (var (table, _) in projection.Tables) await conn.ExecuteAsync($"delete from {table}", transaction: tx);
        await conn.ExecuteAsync("delete from projection_checkpoints where name = @name", new { name = projection.Name }, tx);
        await tx.CommitAsync();
    }

    /// <summary>An embedded <c>&lt;folder&gt;/&lt;name&gt;.&lt;dialect&gt;.sql</c>.</summary>
    public string Sql(string folder, string name)
    {
        var suffix = $".{folder}.{name}.{(Dialect == SqlDialect.Postgres ? "postgres" : "sqlite")}.sql";
        var assembly = typeof(ProjectionDatabase).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(suffix, StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return reader.ReadToEnd();
    }

    // SQLite keeps timestamps as ISO-8601 text; PostgreSQL as timestamptz. Both come back as UTC DateTimeOffset.
    sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        // Only reached for values Dapper hands over: it binds DateTimeOffset parameters itself (a built-in mapping wins over
        // this handler), so SQLite stores what Microsoft.Data.Sqlite writes, "yyyy-MM-dd HH:mm:ss.FFFFFFF+00:00" for UTC
        // values, whose text order is time order too. Batch writes (JsonRows) use that same text.
        public override void SetValue(System.Data.IDbDataParameter parameter, DateTimeOffset value) =>
            parameter.Value = parameter is SqliteParameter
                ? value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture)
                : value.ToUniversalTime();

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset d => d.ToUniversalTime(),
            DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
            string s => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime(),
            _ => throw new InvalidCastException($"Cannot read {value.GetType().Name} as a timestamp."),
        };
    }
}
