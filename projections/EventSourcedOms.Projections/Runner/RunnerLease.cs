using System.Data.Common;
using Dapper;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// The right to run one projection, held by one process at a time. PostgreSQL: a session advisory lock on a connection
/// kept open while running (the server drops it when the holder dies, and another process takes over on its next
/// try). SQLite: an exclusive lock on a side file next to the database (the OS drops it with the process; the file
/// stays, so that two processes can never lock two different files of the same name).
/// </summary>
public sealed class RunnerLease : IAsyncDisposable
{
    readonly DbConnection? _connection;
    readonly FileStream? _file;

    RunnerLease(DbConnection? connection, FileStream? file)
    {
        _connection = connection;
        _file = file;
    }

    /// <summary>The lease, or null when another process holds it.</summary>
    public static async Task<RunnerLease?> TryAcquireAsync(ProjectionDatabase database, string projection, CancellationToken ct)
    {
        if (database.Dialect == SqlDialect.Postgres)
        {
            var conn = await database.OpenUnpooledAsync(ct);
            var key = $"oms_projection:{database.Schema}:{projection}";
            if (await conn.ExecuteScalarAsync<bool>("select pg_try_advisory_lock(hashtext(@key))", new { key })) return new RunnerLease(conn, null);
            await conn.DisposeAsync();
            return null;
        }
        try
        {
            var path = $"{database.SqlitePath}.{projection}.lock";
            return new RunnerLease(null, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Still held? (A PostgreSQL lease is lost with its connection, e.g. when the server restarted.)</summary>
    public async Task<bool> IsHeldAsync(CancellationToken ct)
    {
        if (_connection is null) return true;
        try
        {
            await _connection.ExecuteScalarAsync<int>(new CommandDefinition("select 1", cancellationToken: ct));
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        if (_file is not null) await _file.DisposeAsync();
    }
}
