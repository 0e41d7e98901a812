using EventSourcedOms.EventStore;
using EventSourcedOms.EventStore.Postgres;
using EventSourcedOms.EventStore.Sqlite;
using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.Application.Tests;

public sealed class SqliteOrderScenarios : OrderScenarios
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "oms-app-tests", Guid.NewGuid().ToString("N"));

    protected override async Task<IEventStore> OpenStoreAsync(string name) =>
        await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = Path.Combine(_folder, name + ".db") }, TestContext.Current.CancellationToken);

    protected override Task DropStoreAsync(string name)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresOrderScenarios(PostgresServer server) : OrderScenarios
{
    protected override async Task<IEventStore> OpenStoreAsync(string name) =>
        await PostgresEventStore.CreateAsync(new PostgresEventStoreOptions { ConnectionString = server.Require(), Schema = name }, TestContext.Current.CancellationToken);

    protected override Task DropStoreAsync(string name) => server.DropSchemaAsync(name);
}
