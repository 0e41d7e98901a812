using EventSourcedOms.EventStore;
using EventSourcedOms.EventStore.Postgres;
using EventSourcedOms.EventStore.Sqlite;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Faults.Tests.Support;

/// <summary>Where the API processes keep events and read models, and how the test opens the same store afterwards.</summary>
public abstract class StoreUnderTest : IAsyncDisposable
{
    /// <summary>Environment variables for an API process: the store, demo data, the test's API key.</summary>
    public abstract IReadOnlyDictionary<string, string> ApiSettings(string applicationName);

    public abstract Task<IEventStore> OpenStoreAsync();
    public abstract ProjectionDatabase OpenReadModels();
    public abstract ValueTask DisposeAsync();

    protected static Dictionary<string, string> Common(IEnumerable<KeyValuePair<string, string>> store) =>
        new(store.Concat(OmsClient.ApiKeySettings).Append(new("Oms__Demo", "true")));
}

public sealed class SqliteUnderTest : StoreUnderTest
{
    readonly string _folder = Path.Combine(Path.GetTempPath(), "oms-fault-tests", Guid.NewGuid().ToString("N"));

    public SqliteUnderTest() => Directory.CreateDirectory(_folder);

    string File => Path.Combine(_folder, "oms.db");

    public override IReadOnlyDictionary<string, string> ApiSettings(string applicationName) =>
        Common([new("Oms__Store", "Sqlite"), new("Oms__DataDirectory", _folder)]);

    public override async Task<IEventStore> OpenStoreAsync() =>
        await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = File }, TestContext.Current.CancellationToken);

    public override ProjectionDatabase OpenReadModels() => ProjectionDatabase.Sqlite(File);

    public override ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Schemas of their own on a PostgreSQL server; each process names itself (Application Name) so that
/// <c>pg_stat_activity</c> tells which process holds what.</summary>
public sealed class PostgresUnderTest(string connectionString, string prefix) : StoreUnderTest
{
    public string Schema { get; } = prefix + "_" + Guid.NewGuid().ToString("N")[..10];
    public string ReadSchema => Schema + "_read";
    public string ConnectionString => connectionString;

    public string ConnectionStringFor(string applicationName) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = $"{Schema}-{applicationName}" }.ConnectionString;

    public override IReadOnlyDictionary<string, string> ApiSettings(string applicationName) =>
        Common([new("Oms__Store", "Postgres"), new("ConnectionStrings__Oms", ConnectionStringFor(applicationName)),
            new("Oms__EventsSchema", Schema), new("Oms__ReadSchema", ReadSchema)]);

    public IReadOnlyDictionary<string, string> WorkerSettings(string applicationName) => new Dictionary<string, string>
    {
        ["OMS_POSTGRES"] = ConnectionStringFor(applicationName), ["OMS_EVENTS_SCHEMA"] = Schema, ["OMS_READ_SCHEMA"] = ReadSchema,
    };

    public override async Task<IEventStore> OpenStoreAsync() =>
        await PostgresEventStore.CreateAsync(new PostgresEventStoreOptions { ConnectionString = connectionString, Schema = Schema }, TestContext.Current.CancellationToken);

    public override ProjectionDatabase OpenReadModels() => ProjectionDatabase.Postgres(connectionString, ReadSchema);

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await using var conn = new Npgsql.NpgsqlConnection(connectionString);
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand($"drop schema if exists \"{Schema}\" cascade; drop schema if exists \"{ReadSchema}\" cascade", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        catch (Npgsql.NpgsqlException)
        {
            // A dedicated cluster may be gone already; it takes its schemas with it.
        }
    }
}
