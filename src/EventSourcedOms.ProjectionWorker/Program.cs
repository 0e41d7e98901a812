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
// Maintenance, then exit (the running workers and APIs keep serving; each projection pauses only for its swap or check):
//        --rebuild all | order_summary,inventory,...   rebuild from the log into shadow tables and swap (progress on stdout);
//                                                      exit code 3 if a rebuild of one of them is already running
//        --verify all | order_summary,...              replay beside the live tables; list differing rows, exit code 1 if any
//        --resume all | order_summary,...              clear the error a poison event recorded (after deploying the fix): the running hosts retry it
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

// The read models named (comma-separated, or "all"); null when a name is unknown.
IReadOnlyList<IProjection>? Named(string names)
{
    if (names == "all") return ReadModels.All;
    var named = names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Select(n => ReadModels.All.SingleOrDefault(p => p.Name == n)).ToList();
    return named.Count > 0 && named.All(p => p is not null) ? [.. named.OfType<IProjection>()] : null;
}

int Unknown(string names)
{
    Console.Error.WriteLine($"no read model in \"{names}\"; use all or some of: {string.Join(", ", ReadModels.All.Select(p => p.Name))}");
    return 2;
}

using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

var maintenance = new ProjectionMaintenance(store, database);
if (options.GetValueOrDefault("rebuild") is { } rebuild)
{
    if (Named(rebuild) is not { } projections) return Unknown(rebuild);
    await database.MigrateAsync(projections, stop.Token);
    var started = System.Diagnostics.Stopwatch.StartNew();
    var sinceLine = System.Diagnostics.Stopwatch.StartNew();
    RebuildTimes times;
    try
    {
        times = await maintenance.RebuildAsync(projections, new ImmediateProgress<RebuildProgress>(p =>
        {
            if (sinceLine.Elapsed < TimeSpan.FromSeconds(5)) return;  // a line every 5 s, not every page
            sinceLine.Restart();
            Console.WriteLine($"rebuild {p.Projection}: {p.Events:N0} events in {p.Elapsed.TotalSeconds:N0} s, {p.EventsPerSecond:N0} events/s{(p.Remaining is { } left ? $", about {left.TotalSeconds:N0} s left" : "")}");
        }), stop.Token);
    }
    catch (RebuildRunningException e)
    {
        Console.Error.WriteLine(e.Message);
        await store.DisposeAsync();
        return 3;
    }
    Console.WriteLine($"rebuilt {string.Join(", ", projections.Select(p => p.Name))} in {started.Elapsed.TotalSeconds:N1} s and swapped them in ({times})");
    await store.DisposeAsync();
    return 0;
}
if (options.GetValueOrDefault("verify") is { } verify)
{
    if (Named(verify) is not { } verified) return Unknown(verify);
    var differences = 0;
    foreach (var projection in verified)
    {
        var found = await maintenance.VerifyAsync(projection, stop.Token);
        foreach (var d in found.Take(100)) Console.WriteLine($"{projection.Name}: {d.Table} {d.Key} {d.Kind}: live {d.Live ?? "-"} | rebuilt {d.Rebuilt ?? "-"}");
        Console.WriteLine($"verify {projection.Name}: {found.Count} rows differ{(found.Count > 100 ? " (first 100 shown)" : "")}");
        differences += found.Count;
    }
    await store.DisposeAsync();
    return differences == 0 ? 0 : 1;
}

if (options.GetValueOrDefault("resume") is { } resume)
{
    if (Named(resume) is not { } resumed) return Unknown(resume);
    var before = await maintenance.ResumeAsync(resumed, stop.Token);
    foreach (var (projection, checkpoint) in resumed.Zip(before))
        Console.WriteLine(checkpoint?.Error is { } error
            ? $"resume {projection.Name}: cleared the error at position {checkpoint.ErrorPosition}; running hosts retry it within 10 s ({error.Split('\n')[0]})"
            : $"resume {projection.Name}: no error recorded");
    await store.DisposeAsync();
    return 0;
}

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

