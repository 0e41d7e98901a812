using EventSourcedOms.EventStore.Postgres;
using EventSourcedOms.EventStore.Tests.Conformance;
using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.EventStore.Tests.Postgres;

public sealed class PostgresConformanceTests(PostgresServer server) : EventStoreConformance
{
    protected override async Task<IEventStore> OpenStoreAsync(string name, EventStoreLimits? limits, TimeProvider? time) =>
        await PostgresEventStore.CreateAsync(new PostgresEventStoreOptions
        {
            ConnectionString = server.Require(),
            Schema = name,
            Limits = limits ?? new EventStoreLimits(),
            TimeProvider = time ?? TimeProvider.System,
            PollInterval = TimeSpan.FromMinutes(5),
        }, Ct);

    protected override Task DisposeStorageAsync(string name) => server.DropSchemaAsync(name);
}
