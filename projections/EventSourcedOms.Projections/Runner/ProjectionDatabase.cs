using System.Data.Common;
using Dapper;
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
        var dataSource = NpgsqlDataSource.Create(csb);
        // Leases hold session-level advisory locks: their connection must really close (a pooled one would keep the lock).
        var unpooled = new NpgsqlConnectionStringBuilder(csb.ConnectionString) { Pooling = false }.ConnectionString;
        return new ProjectionDatabase(SqlDialect.Postgres, dataSource.CreateConnection, schema)
        {
            _unpooled = () => new NpgsqlConnection(unpooled),
            _clearPool = dataSource.Clear,
            _shadow = name => Postgres(connectionString, $"{schema}__{name}"),
        };
    }

    Func<DbConnection>? _unpooled;
    Action? _clearPool;

    /// <summary>
    /// After a connection failure: closes the idle pooled connections (PostgreSQL). A server restart breaks every one
    /// of them, and Npgsql does not check a pooled connection before handing it out, so each would fail one more
    /// call after the server is back.
    /// </summary>
    public void ClearPool() => _clearPool?.Invoke();
    Func<string, ProjectionDatabase>? _shadow;

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
        if (Dialect == SqlDialect.Sqlite)
            await conn.ExecuteAsync("pragma journal_mode = wal; pragma synchronous = full; pragma busy_timeout = 30000;");
        return conn;
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
            foreach (var projection in projections) await conn.ExecuteAsync(Sql(projection.Folder, "schema"));
        }
        finally
        {
            if (Dialect == SqlDialect.Postgres) await conn.ExecuteAsync("select pg_advisory_unlock(hashtext('oms_read_migrate'))");
        }
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
        // Fixed-width UTC text in SQLite, so that text order is time order (indexes, ranges, keyset cursors).
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
