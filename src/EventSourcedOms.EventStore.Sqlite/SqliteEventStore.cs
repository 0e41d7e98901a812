using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace EventSourcedOms.EventStore.Sqlite;

/// <summary>
/// The embedded backend: one SQLite file in WAL mode. SQLite admits one writer at a time, so appends queue to a single
/// writer that commits whatever has queued up as one transaction (one fsync), while each append keeps its own
/// expectation checks and its own all-or-nothing result. Readers use their own pooled connections and never block it.
/// </summary>
public sealed partial class SqliteEventStore : EventStoreBase
{
    readonly SqliteEventStoreOptions _options;
    readonly string _connectionString;
    readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    readonly SqliteConnection _writer;
    readonly Task _writeLoop;

    SqliteEventStore(SqliteEventStoreOptions options, string connectionString, SqliteConnection writer)
        : base(options.Limits, options.TimeProvider, options.PollInterval)
    {
        _options = options;
        _connectionString = connectionString;
        _writer = writer;
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    /// <summary>Opens (or creates) the database file, applies the schema and returns the store.</summary>
    public static async Task<SqliteEventStore> OpenAsync(SqliteEventStoreOptions options, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Path);
        var synchronous = options.Synchronous.ToUpperInvariant();
        if (synchronous is not ("FULL" or "NORMAL" or "EXTRA"))
            throw new ArgumentOutOfRangeException(nameof(options), options.Synchronous, "Synchronous must be FULL, NORMAL or EXTRA.");
        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(options.Path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)options.BusyTimeout.TotalSeconds),
        }.ToString();
        var writer = new SqliteConnection(connectionString);
        try
        {
            await writer.OpenAsync(ct);
            Execute(writer, $"""
                pragma journal_mode = wal;
                pragma synchronous = {synchronous};
                """);
            SqliteBusyWait.Install(writer, options.BusyTimeout);
            Execute(writer, "begin immediate");
            foreach (var sql in EmbeddedSql.Migrations(typeof(SqliteEventStore).Assembly)) Execute(writer, sql);
            Execute(writer, "commit");
        }
        catch (SqliteException e)
        {
            await writer.DisposeAsync();
            throw SqliteErrors.Unavailable(e, outcomeUnknown: false);
        }
        return new SqliteEventStore(options, connectionString, writer);
    }


    static void Execute(SqliteConnection conn, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    int _disposed;

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _queue.Writer.TryComplete();
        await _writeLoop;
        await _writer.DisposeAsync();
    }
}
