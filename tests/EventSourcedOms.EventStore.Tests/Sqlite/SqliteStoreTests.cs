using EventSourcedOms.EventStore.Sqlite;
using EventSourcedOms.EventStore.Tests.Support;
using Microsoft.Data.Sqlite;

namespace EventSourcedOms.EventStore.Tests.Sqlite;

/// <summary>What only the SQLite backend has to prove: durable settings, a locked or missing database, group commit.</summary>
public sealed class SqliteStoreTests : IAsyncLifetime
{
    readonly string _path = SqliteConformanceTests.PathFor("s" + Guid.NewGuid().ToString("N")[..12]);
    readonly List<SqliteEventStore> _stores = [];

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<SqliteEventStore> Open(TimeSpan? busyTimeout = null)
    {
        var store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = _path, BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(5) }, Ct);
        _stores.Add(store);
        return store;
    }

    [Fact]
    public async Task the_database_runs_in_wal_mode_and_the_writer_syncs_fully_by_default()
    {
        var store = await Open();
        await store.AppendAsync(TestEvents.NewStream(), ExpectedRevision.NoStream, TestEvents.Events(1), Ct);
        await using var conn = new SqliteConnection($"Data Source={_path}");
        await conn.OpenAsync(Ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "pragma journal_mode";

        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync(Ct));
        Assert.Equal("FULL", new SqliteEventStoreOptions { Path = _path }.Synchronous);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = _path, Synchronous = "OFF" }, Ct));
    }

    [Fact]
    public async Task a_database_locked_by_another_process_is_reported_as_unavailable_and_the_store_recovers()
    {
        var store = await Open(busyTimeout: TimeSpan.FromSeconds(1));
        var stream = TestEvents.NewStream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(1), Ct);
        await using var other = new SqliteConnection($"Data Source={_path};Pooling=false");
        await other.OpenAsync(Ct);
        await using (var begin = other.CreateCommand())
        {
            begin.CommandText = "begin immediate";
            await begin.ExecuteNonQueryAsync(Ct);
        }

        var blocked = TestEvents.Events(1);
        var error = await Assert.ThrowsAsync<EventStoreUnavailableException>(() => store.AppendAsync(stream, ExpectedRevision.Exact(0), blocked, Ct));
        Assert.False(error.OutcomeUnknown);
        await using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "rollback";
            await rollback.ExecuteNonQueryAsync(Ct);
        }

        Assert.Single(await store.ReadStreamAsync(stream, 0, Direction.Forwards, 10, Ct));
        var retried = await store.AppendAsync(stream, ExpectedRevision.Exact(0), blocked, Ct);
        Assert.Equal(1, retried.NextExpectedRevision);
    }

    /// <summary>
    /// Another writer (a projection, a rebuild copying its tables in) holds the file's write lock for a while: the store's
    /// append waits for it — trying every millisecond — and commits once it is free.
    /// </summary>
    [Fact]
    public async Task an_append_waits_for_another_writer_and_commits_once_it_lets_go()
    {
        var store = await Open(busyTimeout: TimeSpan.FromSeconds(10));
        var stream = TestEvents.NewStream();
        await using var other = new SqliteConnection($"Data Source={_path};Pooling=false");
        await other.OpenAsync(Ct);
        await using (var begin = other.CreateCommand())
        {
            begin.CommandText = "begin immediate";
            await begin.ExecuteNonQueryAsync(Ct);
        }
        var release = Task.Run(async () =>
        {
            await Task.Delay(1_000, Ct);
            await using var commit = other.CreateCommand();
            commit.CommandText = "commit";
            await commit.ExecuteNonQueryAsync(Ct);
        }, Ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var appended = await store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(1), Ct);

        Assert.True(clock.Elapsed > TimeSpan.FromMilliseconds(800), $"committed after {clock.ElapsedMilliseconds} ms, while the other writer held the lock");
        await release;
        Assert.Equal(0, appended.NextExpectedRevision);
        Assert.True(SqliteBusyWait.Available, "the millisecond busy handler could not be installed; the store fell back to SQLite's busy timeout");
    }

    [Fact]
    public async Task a_database_that_cannot_be_opened_is_reported_as_unavailable()
    {
        var notAFile = Path.Combine(Path.GetTempPath(), "oms-tests", "dir-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(notAFile);
        try
        {
            await Assert.ThrowsAsync<EventStoreUnavailableException>(() => SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = notAFile }, Ct));
        }
        finally
        {
            Directory.Delete(notAFile);
        }
    }

    [Fact]
    public async Task appends_grouped_into_one_commit_keep_their_own_results()
    {
        // 64 appends at once end up in a few shared transactions; the ones whose expectation fails must fail alone.
        var store = await Open();
        var streams = Enumerable.Range(0, 32).Select(_ => TestEvents.NewStream()).ToArray();
        foreach (var s in streams) await store.AppendAsync(s, ExpectedRevision.NoStream, TestEvents.Events(1), Ct);

        var attempts = streams.SelectMany(s => new[]
        {
            (Stream: s, Good: true, Task: store.AppendAsync(s, ExpectedRevision.Exact(0), TestEvents.Events(2), Ct)),
            (Stream: s, Good: false, Task: store.AppendAsync(s, ExpectedRevision.NoStream, TestEvents.Events(1), Ct)),
        }).ToArray();
        await Task.WhenAll(attempts.Select(a => a.Task.ContinueWith(_ => { }, TaskScheduler.Default)));

        Assert.All(attempts.Where(a => a.Good), a => Assert.Equal(2, a.Task.Result.NextExpectedRevision));
        Assert.All(attempts.Where(a => !a.Good), a => Assert.IsType<WrongExpectedRevisionException>(a.Task.Exception!.InnerException));
        foreach (var s in streams) Assert.Equal(3, (await store.ReadStreamAsync(s, 0, Direction.Forwards, 10, Ct)).Count);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
        SqliteConformanceTests.DeleteDatabase(_path);
    }
}
