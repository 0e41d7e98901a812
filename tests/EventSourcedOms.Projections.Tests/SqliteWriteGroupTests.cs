using Dapper;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.Tests;

/// <summary>SQLite batches of several projections share one transaction, each in its own savepoint.</summary>
public sealed class SqliteWriteGroupTests : IAsyncLifetime
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "oms-projection-tests", Guid.NewGuid().ToString("N"));
    ProjectionDatabase _db = null!;
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _db = ProjectionDatabase.Sqlite(Path.Combine(_folder, "rm.db"));
        await using var conn = await _db.OpenAsync(Ct);
        await conn.ExecuteAsync("create table t (k integer primary key)");
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <param name="entered">Set once the write runs (its group's transaction is open): what follows queues behind it.</param>
    static Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Task> Insert(int k, Task? before = null, bool thenFail = false,
        TaskCompletionSource? entered = null) => async (conn, tx) =>
    {
        entered?.TrySetResult();
        if (before is not null) await before;
        await conn.ExecuteAsync("insert into t (k) values (@k)", new { k }, tx);
        if (thenFail) throw new InvalidOperationException("projector bug in flush");
    };

    [Fact]
    public async Task the_write_ahead_log_of_a_read_model_file_is_checkpointed_in_the_background()
    {
        // A read-model file of its own: no event store's writer checkpoints it, and the batches' commits do not either.
        var file = new FileInfo(_db.SqlitePath!);
        await using (var conn = await _db.OpenAsync(Ct))
            await conn.ExecuteAsync("create table big (k integer primary key, v blob)");
        file.Refresh();
        var before = file.Length;

        for (var k = 0; k < 40; k++)  // 4 MB in batches of 100 KB
            await _db.WriteAsync((conn, tx) => conn.ExecuteAsync("insert into big (k, v) values (@k, randomblob(100000))", new { k }, tx), Ct);
        await Task.Delay(SqliteWriteGroup.CheckpointEvery * 2, Ct);
        await _db.WriteAsync(Insert(1), Ct);  // a commit after the interval starts the next checkpoint

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (file.Length - before < 4_000_000)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the database file grew by {file.Length - before:N0} bytes only: the log was not checkpointed");
            await Task.Delay(20, Ct);
            file.Refresh();
        }
    }

    [Fact]
    public async Task batches_ready_together_commit_once_and_a_failing_one_is_rolled_back_alone()
    {
        var group = SqliteWriteGroup.For(_db.SqlitePath!);
        var gate = new TaskCompletionSource();
        var commitsBefore = group.Commits;

        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = _db.WriteAsync(Insert(0, gate.Task, entered: entered), Ct);  // leads, and holds the group until released
        await entered.Task;
        var good = _db.WriteAsync(Insert(1), Ct);                   // these three queue behind it: one group
        var poison = _db.WriteAsync(Insert(2, thenFail: true), Ct);
        var other = _db.WriteAsync(Insert(3), Ct);
        gate.SetResult();

        await first;
        await good;
        await other;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => poison);
        Assert.Equal("projector bug in flush", error.Message);
        await using var conn = await _db.OpenAsync(Ct);
        Assert.Equal([0L, 1L, 3L], (await conn.QueryAsync<long>("select k from t order by k")).ToList());
        Assert.Equal(2, group.Commits - commitsBefore);
    }

    [Fact]
    public async Task a_statement_that_fails_in_the_group_fails_only_its_own_batch()
    {
        var gate = new TaskCompletionSource();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = _db.WriteAsync(Insert(0, gate.Task, entered: entered), Ct);
        await entered.Task;
        // Both insert key 5: the second fails alone (constraint), the first commits.
        var a = _db.WriteAsync(Insert(5), Ct);
        var b = _db.WriteAsync(Insert(5), Ct);
        gate.SetResult();
        await first;
        await a;
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => b);
        await using var conn = await _db.OpenAsync(Ct);
        Assert.Equal([0L, 5L], (await conn.QueryAsync<long>("select k from t order by k")).ToList());
    }
}
