using System.Runtime.InteropServices;
using EventSourcedOms.EventStore;
using EventSourcedOms.EventStore.Postgres;
using EventSourcedOms.EventStore.Sqlite;
using EventSourcedOms.Projections;
using EventSourcedOms.Projections.Runner;

// Usage: EventSourcedOms.ProjectionWorker --sqlite data/oms.db
//        EventSourcedOms.ProjectionWorker --postgres "<connection string>" [--events-schema oms] [--read-schema oms_read]
// Environment instead of arguments: OMS_SQLITE_PATH, or OMS_POSTGRES (+ OMS_EVENTS_SCHEMA, OMS_READ_SCHEMA).
// Runs every projection until SIGTERM/Ctrl+C; several workers (and API processes) may run: one projects, the others stand by.
var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal) && x.i + 1 < args.Length)
    .ToDictionary(x => x.a[2..], x => args[x.i + 1]);
string? Option(string name, string env) => options.GetValueOrDefault(name) ?? Environment.GetEnvironmentVariable(env);

IEventStore store;
ProjectionDatabase database;
if (Option("postgres", "OMS_POSTGRES") is { } pg)
{
    store = await PostgresEventStore.CreateAsync(new PostgresEventStoreOptions { ConnectionString = pg, Schema = Option("events-schema", "OMS_EVENTS_SCHEMA") ?? "oms" });
    database = ProjectionDatabase.Postgres(pg, Option("read-schema", "OMS_READ_SCHEMA") ?? "oms_read");
}
else if (Option("sqlite", "OMS_SQLITE_PATH") is { } path)
{
    store = await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path });
    database = ProjectionDatabase.Sqlite(path);
}
else
{
    Console.Error.WriteLine("usage: EventSourcedOms.ProjectionWorker --sqlite <file> | --postgres <connection string> [--events-schema oms] [--read-schema oms_read]");
    return 2;
}

using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

var host = new ProjectionHost(store, database, ReadModels.All);
Console.WriteLine($"projection worker {Environment.ProcessId}: {string.Join(", ", ReadModels.All.Select(p => p.Name))}");
try
{
    await host.RunAsync(stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
}
await store.DisposeAsync();
return 0;
