using Npgsql;

namespace EventSourcedOms.EventStore.Postgres;

/// <summary>
/// The PostgreSQL backend. Appends are one call of a server-side function (one round trip, one transaction);
/// the <c>$all</c> feed is gap-safe by construction (see <c>Schema/001_events.sql</c> and <c>ReadAll</c>); live
/// subscribers are woken in-process at once and across processes by LISTEN/NOTIFY.
/// </summary>
public sealed partial class PostgresEventStore : EventStoreBase
{
    readonly NpgsqlDataSource _dataSource;
    readonly string _schema;
    readonly PostgresNotifications _notifications;

    PostgresEventStore(NpgsqlDataSource dataSource, PostgresEventStoreOptions options)
        : base(options.Limits, options.TimeProvider, options.PollInterval)
    {
        _dataSource = dataSource;
        _schema = QuoteIdentifier(options.Schema);
        _notifications = new PostgresNotifications(dataSource, options.Schema, Changes);
        _appendSql = $"select status, first_position, current_revisions from {_schema}.append_events($1, $2, $3, $4, $5, $6, $7::json[], $8::json[], $9)";
    }

    /// <summary>Connects, creates or migrates the schema (idempotent, safe from several processes at once) and returns the store.</summary>
    public static async Task<PostgresEventStore> CreateAsync(PostgresEventStoreOptions options, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);
        var csb = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        var timeoutMs = (int)options.IdleInTransactionTimeout.TotalMilliseconds;
        // Read committed is what the append function relies on: each of its statements sees what committed before
        // it, in particular after it waited for a stream lock. JIT compilation costs more than these short
        // statements ever take (it turned a 2 ms read into seconds when the planner misjudged a row count).
        csb.Options = $@"{csb.Options} -c idle_in_transaction_session_timeout={timeoutMs} -c default_transaction_isolation=read\ committed -c jit=off".Trim();
        // Pooled connections keep no session state of ours, and resetting them (DISCARD ALL) would throw away the
        // cached plans of the append function on every call: measured at over 1 ms per append.
        csb.NoResetOnClose = true;
        if (csb.MaxAutoPrepare == 0) csb.MaxAutoPrepare = 16;
        var dataSource = NpgsqlDataSource.Create(csb);
        var store = new PostgresEventStore(dataSource, options);
        try
        {
            await store.MigrateAsync(options.Schema, ct);
            return store;
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    async Task MigrateAsync(string schemaName, CancellationToken ct)
    {
        try
        {
            await using var conn = await _dataSource.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            // Two processes starting together must not race each other's DDL.
            await Exec(conn, tx, $"select pg_advisory_xact_lock({LockClass(schemaName)}, 0)", ct);
            // Event JSON is stored as text: any other server encoding would refuse or mangle some of it.
            await using (var encoding = new NpgsqlCommand("show server_encoding", conn, tx))
                if (await encoding.ExecuteScalarAsync(ct) is string enc && enc != "UTF8")
                    throw new InvalidOperationException($"The event store needs a UTF8 database; this one is {enc}.");
            await Exec(conn, tx, $"create schema if not exists {_schema}", ct);
            foreach (var sql in EmbeddedSql.Migrations(typeof(PostgresEventStore).Assembly))
                await Exec(conn, tx, sql.Replace("__schema__", _schema).Replace("__lock_class__", LockClass(schemaName).ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception e) when (PostgresErrors.IsUnavailable(e, ct))
        {
            throw Unavailable(e, outcomeUnknown: false);
        }

        static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
        {
            await using var cmd = new NpgsqlCommand(sql, conn, tx);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }


    /// <summary>The advisory lock namespace (first key) of this store's stream locks; stable across processes and versions.</summary>
    internal static int LockClass(string schemaName)
    {
        var hash = 2166136261u; // FNV-1a: string.GetHashCode is randomised per process
        foreach (var c in "oms-event-store:" + schemaName) hash = (hash ^ c) * 16777619u;
        return unchecked((int)hash);
    }

    static string QuoteIdentifier(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A connection with the store's session settings, for tests that hold a transaction open.</summary>
    internal ValueTask<NpgsqlConnection> OpenConnectionAsync(CancellationToken ct) => _dataSource.OpenConnectionAsync(ct);

    private protected override void OnSubscribing() => _notifications.EnsureListening();

    int _disposed;

    // Npgsql hands out pooled connections without checking them, and a server restart breaks every idle one: without
    // this, each of them would fail one more call after the server is back (npgsql#2896, #5073). Cleared, the pool
    // opens fresh connections, so the first call after the outage already succeeds.
    EventStoreUnavailableException Unavailable(Exception e, bool outcomeUnknown)
    {
        _dataSource.Clear();
        return PostgresErrors.Unavailable(e, outcomeUnknown);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _notifications.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
