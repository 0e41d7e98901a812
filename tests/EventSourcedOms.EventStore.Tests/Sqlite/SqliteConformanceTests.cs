using EventSourcedOms.EventStore.Sqlite;
using EventSourcedOms.EventStore.Tests.Conformance;
using Microsoft.Data.Sqlite;

namespace EventSourcedOms.EventStore.Tests.Sqlite;

public sealed class SqliteConformanceTests : EventStoreConformance
{
    internal static string PathFor(string name) => Path.Combine(Path.GetTempPath(), "oms-tests", name + ".db");

    protected override async Task<IEventStore> OpenStoreAsync(string name, EventStoreLimits? limits, TimeProvider? time) =>
        await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions
        {
            Path = PathFor(name),
            Limits = limits ?? new EventStoreLimits(),
            TimeProvider = time ?? TimeProvider.System,
            PollInterval = TimeSpan.FromMinutes(5),
        }, Ct);

    protected override Task DisposeStorageAsync(string name)
    {
        DeleteDatabase(PathFor(name));
        return Task.CompletedTask;
    }

    internal static void DeleteDatabase(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
    }
}
