using Dapper;
using EventSourcedOms.EventStore;
using EventSourcedOms.EventStore.Postgres;
using EventSourcedOms.EventStore.Sqlite;
using EventSourcedOms.EventStore.Tests.Support;
using EventSourcedOms.Application.Tests.Support;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Projections.OrderSummary;
using EventSourcedOms.Projections.Runner;
using Npgsql;

namespace EventSourcedOms.Projections.Tests;

public sealed class SqliteProjectionScenarios : ProjectionScenarios
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "oms-projection-tests", Guid.NewGuid().ToString("N"));
    string File => Path.Combine(_folder, "oms.db");

    protected override async Task<IEventStore> OpenStoreAsync() =>
        await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = File }, TestContext.Current.CancellationToken);

    protected override ProjectionDatabase OpenReadModels() => ProjectionDatabase.Sqlite(File);

    protected override string[] WorkerArguments() => ["--sqlite", File];

    protected override Task DropAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresProjectionScenarios(PostgresServer server) : ProjectionScenarios
{
    protected override async Task<IEventStore> OpenStoreAsync() =>
        await PostgresEventStore.CreateAsync(new PostgresEventStoreOptions { ConnectionString = server.Require(), Schema = Name }, TestContext.Current.CancellationToken);

    protected override ProjectionDatabase OpenReadModels() => ProjectionDatabase.Postgres(server.Require(), Name + "_read");

    protected override string[] WorkerArguments() => ["--postgres", server.Require(), "--events-schema", Name, "--read-schema", Name + "_read"];

    protected override async Task DropAsync()
    {
        await server.DropSchemaAsync(Name);
        await server.DropSchemaAsync(Name + "_read");
    }

    /// <summary>
    /// The server ends every connection the read models use (an administrator's <c>pg_terminate_backend</c>, a proxy's
    /// idle timeout, a failover): the writers, which keep their connection across batches, and the leases. The
    /// projections carry on, on new connections, and lose and double nothing.
    /// </summary>
    [Fact]
    public async Task projections_carry_on_when_the_server_ends_their_connections()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await RunHostAfterABusinessDayAsync();

        var ended = await SessionsAsync("count(*) filter (where pg_terminate_backend(pid))", $"{Name}_read");
        Assert.True(ended >= All.Length, $"{ended} read-model connections ended");  // a writer per projection, the leases
        Db.ClearPool();  // this test's own reads below, as the API does after a failed query (idle pooled connections are broken too)
        await PlaceAndWaitForAllAsync("ord-after");
        await PlaceAndWaitForAllAsync("ord-after-2");

        Assert.Equal("reserved", (await new OrderSummaryQueries(Db).GetAsync("ord-after-2", ct))!.Status);
        await host.StopAsync();
        foreach (var p in All) Assert.Empty(await host.VerifyAsync(p, ct));
        await AssertRowsMatchTheLogAsync();
    }

    /// <summary>
    /// An operator (or a scheduled job) verifies a read model again and again in one long-running API or worker: the
    /// shadow tables' connections are used again, not piled up (each verify left its own pool's connections open for minutes).
    /// </summary>
    [Fact]
    public async Task verifying_again_and_again_reuses_the_shadow_tables_connections()
    {
        var ct = TestContext.Current.CancellationToken;
        await RunBusinessDayAsync();
        await CatchUpAsync();
        var maintenance = new ProjectionMaintenance(Store, Db);
        Task<long> ShadowSessionsAsync() => SessionsAsync("count(*)", $"{Name}_read__verify_order_summary");

        Assert.Empty(await maintenance.VerifyAsync(All[0], ct));
        var afterOne = await ShadowSessionsAsync();
        for (var i = 0; i < 5; i++) Assert.Empty(await maintenance.VerifyAsync(All[0], ct));

        Assert.InRange(afterOne, 1, 5);
        Assert.Equal(afterOne, await ShadowSessionsAsync());
    }

    /// <summary>
    /// <paramref name="aggregate"/> over the server's sessions of the read models in <paramref name="schema"/> (by the
    /// application name they show), from a connection of the test's own.
    /// </summary>
    async Task<long> SessionsAsync(string aggregate, string schema)
    {
        await using var admin = new NpgsqlConnection(server.Require());
        await admin.OpenAsync(TestContext.Current.CancellationToken);
        return await admin.ExecuteScalarAsync<long>($"select {aggregate} from pg_stat_activity where application_name = @name",
            new { name = $"oms read models ({schema})" });
    }

    /// <summary>
    /// A write transaction older than the new events stays open (another application on the cluster, a slow writer):
    /// $all holds those events back. Health and read-your-writes answer within their bounds meanwhile, and count the
    /// events once the transaction ends.
    /// </summary>
    [Fact]
    public async Task status_and_read_your_writes_answer_in_bounded_time_while_an_older_open_transaction_holds_events_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await RunBusinessDayAsync();
        var summary = All[0];
        await CatchUpAsync(summary);
        await using var conn = new NpgsqlConnection(server.Require());
        await conn.OpenAsync(ct);
        var tx = await conn.BeginTransactionAsync(ct);
        await new NpgsqlCommand("select pg_current_xact_id()", conn, tx).ExecuteScalarAsync(ct);  // has an xid now
        var placed = await Node.Send(Commands.Place(BackorderPolicies.Backorder, ("SKU-2", 1)) with { OrderId = "ord-held-back" });

        var status = new ProjectionStatusQueries(Store, Db).AllAsync([summary], ct);
        var ryw = new ReadYourWrites(Store, Db).WaitForAsync(summary, placed.Position, TimeSpan.FromMilliseconds(500), ct);
        var answered = Task.WhenAll(status, ryw);
        Assert.Same(answered, await Task.WhenAny(answered, Task.Delay(TimeSpan.FromSeconds(30), ct)));
        Assert.Equal((0L, true), ((await status)[0].PendingEvents, (await status)[0].PendingIsLowerBound));
        Assert.False(await ryw);

        await tx.RollbackAsync(ct);
        var after = (await new ProjectionStatusQueries(Store, Db).AllAsync([summary], ct))[0];
        Assert.Equal((2L, false), (after.PendingEvents, after.PendingIsLowerBound));  // the new order's placement and reservation
    }
}
