using EventSourcedOms.EventStore;
using EventSourcedOms.EventStore.Postgres;
using EventSourcedOms.EventStore.Sqlite;
using EventSourcedOms.Projections.Runner;
using Microsoft.Extensions.Options;

namespace EventSourcedOms.Api.Hosting;

/// <summary>Opens the configured event store and read-model database (SQLite file by default, or PostgreSQL).</summary>
static class OmsStorage
{
    public static IEventStore OpenStore(IServiceProvider services)
    {
        var (options, configuration, time) = Settings(services);
        // Once, at startup (OmsStartup resolves it before the server listens); no synchronization context here.
        return options.Store switch
        {
            StoreKind.Postgres => PostgresEventStore.CreateAsync(new PostgresEventStoreOptions
            {
                ConnectionString = PostgresConnection(configuration, "Oms"), Schema = options.EventsSchema, TimeProvider = time,
            }).GetAwaiter().GetResult(),
            _ => SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = SqlitePath(options), TimeProvider = time }).GetAwaiter().GetResult(),
        };
    }

    public static ProjectionDatabase OpenReadModels(IServiceProvider services)
    {
        var (options, configuration, _) = Settings(services);
        return options.Store switch
        {
            StoreKind.Postgres => ProjectionDatabase.Postgres(
                configuration.GetConnectionString("OmsRead") is { Length: > 0 } read ? read : PostgresConnection(configuration, "Oms"), options.ReadSchema),
            _ => ProjectionDatabase.Sqlite(SqlitePath(options)),
        };
    }

    static (OmsOptions, IConfiguration, TimeProvider) Settings(IServiceProvider services) =>
        (services.GetRequiredService<IOptions<OmsOptions>>().Value, services.GetRequiredService<IConfiguration>(), services.GetRequiredService<TimeProvider>());

    static string SqlitePath(OmsOptions options) => Path.GetFullPath(Path.Combine(options.DataDirectory, "oms.db"));

    static string PostgresConnection(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } cs ? cs
        : throw new InvalidOperationException($"Oms:Store is Postgres but ConnectionStrings:{name} is not set (environment: ConnectionStrings__{name}).");
}
