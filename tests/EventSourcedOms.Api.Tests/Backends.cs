using EventSourcedOms.Api.Tests.Support;
using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.Api.Tests;

public sealed class SqliteApiScenarios : ApiScenarios
{
    protected override Backend NewBackend() => new SqliteBackend();
}

public sealed class PostgresApiScenarios(PostgresServer server) : ApiScenarios
{
    protected override Backend NewBackend() => new PostgresBackend(server);
}
