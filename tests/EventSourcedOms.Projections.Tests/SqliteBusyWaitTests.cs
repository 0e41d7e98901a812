using Dapper;
using EventSourcedOms.EventStore.Sqlite;
using EventSourcedOms.Projections.Runner;
using Microsoft.Data.Sqlite;

namespace EventSourcedOms.Projections.Tests;

/// <summary>
/// A read-model connection on SQLite meets the event store's writer on the same file: it must wait for the write lock
/// (not fail with "database is locked") and get it once it is free.
/// </summary>
public sealed class SqliteBusyWaitTests : IDisposable
{
    readonly string _file = Path.Combine(Path.GetTempPath(), $"oms-busy-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task a_read_model_write_waits_for_another_writer_and_then_commits()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = ProjectionDatabase.Sqlite(_file);
        await using (var setup = await db.OpenAsync(ct)) await setup.ExecuteAsync("create table t (x integer)");

        // Another connection (the store's writer) holds the write lock for 1.5 s.
        await using var other = new SqliteConnection($"Data Source={_file};Pooling=false");
        await other.OpenAsync(ct);
        await using var held = (SqliteTransaction)await other.BeginTransactionAsync(ct); // deferred: take the lock with a write
        await other.ExecuteAsync("insert into t values (1)", transaction: held);
        var release = Task.Run(async () =>
        {
            await Task.Delay(1_500, ct);
            await held.CommitAsync(ct);
        }, ct);

        await using var conn = await db.OpenAsync(ct);
        await conn.ExecuteAsync("insert into t values (2)"); // waits instead of throwing SQLITE_BUSY
        await release;
        Assert.Equal([1L, 2L], await conn.QueryAsync<long>("select x from t order by x"));
        Assert.True(SqliteBusyWait.Available, "the millisecond busy handler could not be installed; connections fell back to SQLite's busy timeout");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_file + suffix);
    }
}
