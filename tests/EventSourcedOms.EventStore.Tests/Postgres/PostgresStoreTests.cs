using EventSourcedOms.EventStore.Postgres;
using EventSourcedOms.EventStore.Tests.Support;
using Npgsql;

namespace EventSourcedOms.EventStore.Tests.Postgres;

/// <summary>What only the PostgreSQL backend has to prove: gap safety with out-of-order commits, wake-ups across
/// processes, bounded open transactions and outages.</summary>
public sealed class PostgresStoreTests(PostgresServer server) : IAsyncLifetime
{
    readonly string _schema = "p" + Guid.NewGuid().ToString("N")[..12];
    readonly List<PostgresEventStore> _stores = [];

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    async Task<PostgresEventStore> Open(string? connectionString = null, TimeSpan? idleInTransaction = null)
    {
        var store = await PostgresEventStore.CreateAsync(new PostgresEventStoreOptions
        {
            ConnectionString = connectionString ?? server.Require(),
            Schema = _schema,
            PollInterval = TimeSpan.FromMinutes(5),
            IdleInTransactionTimeout = idleInTransaction ?? TimeSpan.FromSeconds(10),
        }, Ct);
        _stores.Add(store);
        return store;
    }

    /// <summary>Appends inside a transaction the test keeps open: the slow writer whose commit comes after later ones.</summary>
    static async Task<(NpgsqlTransaction Tx, long Position)> AppendHeldOpen(PostgresEventStore store, NpgsqlConnection conn, string stream, EventData e)
    {
        var tx = await conn.BeginTransactionAsync(Ct);
        var prepared = AppendValidator.Prepare([new StreamAppend(stream, ExpectedRevision.NoStream, [e])], store.Limits);
        var (result, _) = await store.TryAppendAsync(conn, tx, prepared, Ct);
        return (tx, result!.Position);
    }

    async Task<long> CountCommittedAfter(long position)
    {
        await using var conn = new NpgsqlConnection(server.Require());
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand($"select count(*) from \"{_schema}\".events where position > $1", conn);
        cmd.Parameters.AddWithValue(position);
        return (long)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    [Fact]
    public async Task the_feed_never_passes_an_event_that_an_older_open_transaction_commits_later()
    {
        var store = await Open();
        var first = TestEvents.Event();
        await store.AppendAsync(TestEvents.NewStream(), ExpectedRevision.NoStream, [first], Ct);
        await using var follower = new Follower(store, FromAll.Start);
        Assert.Equal(first.EventId, (await follower.Take(1))[0].EventId);

        await using var conn = new NpgsqlConnection(server.Require());
        await conn.OpenAsync(Ct);
        var slow = TestEvents.Event();
        var (tx, slowPosition) = await AppendHeldOpen(store, conn, TestEvents.NewStream(), slow);
        var later = TestEvents.Events(10);
        foreach (var e in later)
        {
            var result = await store.AppendAsync(TestEvents.NewStream(), ExpectedRevision.NoStream, [e], Ct);
            Assert.True(result.Position > slowPosition);
        }

        // The ten later events are committed and visible to a plain query ordered by position: a reader trusting
        // that would checkpoint past the slow event and never see it.
        Assert.Equal(10, await CountCommittedAfter(slowPosition));
        await Task.Delay(300, Ct);
        Assert.False(follower.TryTake(out _), "nothing may be delivered past an event that can still commit");
        // A page read hands on what is final and does not claim the end; reading on waits for the slow transaction.
        var slice = await store.ReadAllAsync(0, 100, null, Ct);
        Assert.Equal([first.EventId], slice.Events.Select(e => e.EventId));
        Assert.False(slice.IsEnd, "the log does not end before committed events");
        Assert.True(slice.NextPosition <= slowPosition);
        var rest = store.ReadAllAsync(slice.NextPosition, 100, null, Ct);
        await Task.Delay(100, Ct);
        Assert.False(rest.IsCompleted, "nothing is readable until the slow transaction ends");

        await tx.CommitAsync(Ct);

        var delivered = await follower.Take(11);
        Assert.Equal([slow.EventId, .. later.Select(e => e.EventId)], delivered.Select(e => e.EventId));
        var read = await rest;
        Assert.Equal([slow.EventId, .. later.Select(e => e.EventId)], read.Events.Select(e => e.EventId));
        Assert.True(read.IsEnd);
    }

    [Fact]
    public async Task an_open_transaction_that_rolls_back_releases_the_feed_without_a_trace()
    {
        var store = await Open();
        await using var follower = new Follower(store, FromAll.Start);
        await using var conn = new NpgsqlConnection(server.Require());
        await conn.OpenAsync(Ct);
        var (tx, _) = await AppendHeldOpen(store, conn, TestEvents.NewStream(), TestEvents.Event());
        var later = TestEvents.Events(3);
        foreach (var e in later) await store.AppendAsync(TestEvents.NewStream(), ExpectedRevision.NoStream, [e], Ct);

        await tx.RollbackAsync(Ct);

        Assert.Equal(later.Select(e => e.EventId), (await follower.Take(3)).Select(e => e.EventId));
    }

    [Fact]
    public async Task a_writer_left_idle_in_its_transaction_is_cut_off_so_the_feed_moves_on()
    {
        var store = await Open(idleInTransaction: TimeSpan.FromSeconds(1));
        await using var follower = new Follower(store, FromAll.Start);
        await using var conn = await store.OpenConnectionAsync(Ct);
        var (tx, _) = await AppendHeldOpen(store, conn, TestEvents.NewStream(), TestEvents.Event());
        var later = TestEvents.Event();
        await store.AppendAsync(TestEvents.NewStream(), ExpectedRevision.NoStream, [later], Ct);

        Assert.Equal(later.EventId, (await follower.Take(1, TimeSpan.FromSeconds(10)))[0].EventId);
        await Assert.ThrowsAnyAsync<Exception>(() => tx.CommitAsync(Ct));
    }

    [Fact]
    public async Task a_subscriber_in_another_process_is_woken_by_notify_not_by_polling()
    {
        var writer = await Open();
        var reader = await Open(); // its own connections and signal, as another process would have
        await using var follower = new Follower(reader, FromAll.Start);
        await Task.Delay(200, Ct); // let it LISTEN

        for (var i = 0; i < 5; i++)
        {
            var e = TestEvents.Event();
            await writer.AppendAsync(TestEvents.NewStream(), ExpectedRevision.NoStream, [e], Ct);
            Assert.Equal(e.EventId, (await follower.Take(1, TimeSpan.FromSeconds(5)))[0].EventId);
        }
    }

    [Fact]
    public async Task an_outage_surfaces_as_a_typed_transient_error_and_the_store_recovers_when_the_server_returns()
    {
        var target = new NpgsqlConnectionStringBuilder(server.Require());
        await using var proxy = new TcpProxy(target.Port);
        proxy.Start();
        var viaProxy = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Port = proxy.Port, Pooling = true };
        var store = await Open(viaProxy.ConnectionString);
        var stream = TestEvents.NewStream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(1), Ct);

        proxy.Cut();
        var lost = TestEvents.Events(1);
        var appendError = await Assert.ThrowsAsync<EventStoreUnavailableException>(() => store.AppendAsync(stream, ExpectedRevision.Exact(0), lost, Ct));
        await Assert.ThrowsAsync<EventStoreUnavailableException>(() => store.ReadStreamAsync(stream, 0, Direction.Forwards, 10, Ct));
        await Assert.ThrowsAsync<EventStoreUnavailableException>(() => store.ReadAllAsync(0, 10, null, Ct));
        Assert.Equal("store-unavailable", appendError.Code);

        proxy.Start();
        // The retry the error asks for: same ids, same expectation. Whatever happened before, it lands exactly once.
        var retried = await RetryWhileUnavailable(() => store.AppendAsync(stream, ExpectedRevision.Exact(0), lost, Ct));
        Assert.Equal(1, retried.NextExpectedRevision);
        Assert.Equal(2, (await store.ReadStreamAsync(stream, 0, Direction.Forwards, 10, Ct)).Count);
    }

    [Fact]
    public async Task an_unreachable_server_is_reported_as_unavailable()
    {
        var closed = new NpgsqlConnectionStringBuilder(server.Require()) { Port = FreePort(), Timeout = 2 };

        await Assert.ThrowsAsync<EventStoreUnavailableException>(() => Open(closed.ConnectionString));
    }

    [Fact]
    public async Task stores_starting_together_migrate_the_schema_once_without_errors()
    {
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Open()));
        await stores[0].AppendAsync("order-1", ExpectedRevision.NoStream, TestEvents.Events(1), Ct);

        Assert.Single(await stores[3].ReadStreamAsync("order-1", 0, Direction.Forwards, 10, Ct));
    }

    [Fact]
    public async Task an_append_must_be_the_first_write_of_its_transaction()
    {
        // Positions follow transaction age only when the xid is taken after the stream locks.
        var store = await Open();
        await using var conn = new NpgsqlConnection(server.Require());
        await conn.OpenAsync(Ct);
        await using var tx = await conn.BeginTransactionAsync(Ct);
        await using (var write = new NpgsqlCommand("create temp table scratch(x int); insert into scratch values (1)", conn, tx))
            await write.ExecuteNonQueryAsync(Ct);

        var prepared = AppendValidator.Prepare([new StreamAppend(TestEvents.NewStream(), ExpectedRevision.NoStream, TestEvents.Events(1))], store.Limits);
        var error = await Assert.ThrowsAsync<PostgresException>(() => store.TryAppendAsync(conn, tx, prepared, Ct));
        Assert.Contains("first write", error.MessageText);
    }

    /// <summary>
    /// The append function locks an append's streams in one order, whatever order they come in: appends over the same
    /// streams in different orders wait for each other and never deadlock (the store would retry a deadlock, so this
    /// calls the function without that retry). A group commit appends ~200 streams at once.
    /// </summary>
    [Fact]
    public async Task appends_over_the_same_streams_in_different_orders_never_deadlock()
    {
        var store = await Open();
        var stocks = Enumerable.Range(0, 8).Select(_ => TestEvents.NewStream("stock")).ToList();
        foreach (var stock in stocks) await store.AppendAsync(stock, ExpectedRevision.NoStream, TestEvents.Events(1), Ct);

        var appends = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            await using var conn = await store.OpenConnectionAsync(Ct);
            for (var i = 0; i < 10; i++)
            {
                var streams = stocks.OrderBy(_ => random.Next()).Select(s => new StreamAppend(s, ExpectedRevision.StreamExists, TestEvents.Events(1)));
                var prepared = AppendValidator.Prepare([new StreamAppend(TestEvents.NewStream("order"), ExpectedRevision.NoStream, TestEvents.Events(1)), .. streams], store.Limits);
                var (result, _) = await store.TryAppendAsync(conn, null, prepared, Ct);
                Assert.NotNull(result);
            }
        }, Ct));
        await Task.WhenAll(appends);

        foreach (var stock in stocks) Assert.Equal(161, (await store.ReadStreamAsync(stock, 0, Direction.Forwards, 1000, Ct)).Count);
    }

    [Fact]
    public async Task after_a_restore_into_a_cluster_with_younger_transaction_ids_new_positions_stay_above_the_stored_ones()
    {
        // A dump restored elsewhere keeps its positions while the new cluster's xids start low. Simulate it with an
        // event stored far ahead of this cluster's xids, then start the store again.
        var store = await Open();
        var restored = TestEvents.Event();
        await using (var conn = new NpgsqlConnection(server.Require()))
        {
            await conn.OpenAsync(Ct);
            await using var insert = new NpgsqlCommand($$"""
                insert into "{{_schema}}".events (position, stream, revision, event_id, type, data, metadata, recorded_at)
                values (((pg_current_xact_id()::text::bigint + 1000000) << 16), 'order-restored', 0, $1, 'OrderPlaced.v1', '{"r":1}'::json, '{"a":1}'::json, now())
                """, conn);
            insert.Parameters.AddWithValue(restored.EventId);
            await insert.ExecuteNonQueryAsync(Ct);
        }
        var restarted = await Open();

        var next = TestEvents.Event();
        var result = await restarted.AppendAsync("order-restored", ExpectedRevision.Exact(0), [next], Ct);

        var all = await restarted.ReadAllEvents(expectAtLeast: 2);
        Assert.Equal([restored.EventId, next.EventId], all.Select(e => e.EventId));
        Assert.Equal(1, result.NextExpectedRevision);
        _ = store;
    }

    static async Task<T> RetryWhileUnavailable<T>(Func<Task<T>> action)
    {
        for (var attempt = 0; ; attempt++)
        {
            try { return await action(); }
            catch (EventStoreUnavailableException) when (attempt < 20) { await Task.Delay(100, Ct); }
        }
    }

    static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
        await server.DropSchemaAsync(_schema);
    }
}
