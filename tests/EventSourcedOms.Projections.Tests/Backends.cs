using EventSourcedOms.EventStore;
using EventSourcedOms.EventStore.Postgres;
using EventSourcedOms.EventStore.Sqlite;
using EventSourcedOms.EventStore.Tests.Support;
using EventSourcedOms.Projections.Runner;

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
}
