using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using EventSourcedOms.Application;
using EventSourcedOms.Application.Inventory.ReceiveStock;
using EventSourcedOms.Application.Locations.DefineLocation;
using EventSourcedOms.Application.Orders.ConfirmPick;
using EventSourcedOms.Application.Orders.HoldOrder;
using EventSourcedOms.Application.Orders.PackOrder;
using EventSourcedOms.Application.Orders.PlaceOrder;
using EventSourcedOms.Application.Orders.ShipOrder;
using EventSourcedOms.Application.Orders.StartPicking;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Locations;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections.FulfilmentQueue;
using EventSourcedOms.Projections.Inventory;
using EventSourcedOms.Projections.Kpis;
using EventSourcedOms.Projections.OrderLines;
using EventSourcedOms.Projections.OrderSummary;
using EventSourcedOms.Projections.OrderTimeline;
using EventSourcedOms.Projections.Runner;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EventSourcedOms.Bench;

/// <summary>
/// The read side at scale: a store loaded through the mediator (orders spread over 30 days of business time), then
/// every projection rebuilt from an empty read-model database (one at a time, then all five together), the order
/// summary's lag behind a steady 1,000 orders/s with the projection host running, and the dashboard queries.
/// SQLite keeps events and read models in one file (as the worker runs it by default); PostgreSQL keeps the events in one
/// schema and the read models in another schema of the same database.
/// </summary>
internal static class ProjectionBenchmarks
{
    const int SkuCount = 1_000, UnitsPerSku = 1_000_000, Customers = 2_000, Days = 30, Callers = 64, HoldEvery = 200, ShipEvery = 10;
    const int LagRate = 1_000, PageSize = 50;

    /// <summary>
    /// Timed runs of each dashboard query. The p99 of 200 was the second-slowest query: one stall of the shared 2-core
    /// machine decided it (the slowest runs had no garbage collection of this process during them, and the server ran
    /// them in 0.2–0.5 ms). Of 1,000, it is the tenth-slowest.
    /// </summary>
    const int QueryRepetitions = 1_000;
    const double QueryTargetMs = 5;
    static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(120); // how long the lag run waits for the projection to catch up at the end
    const string Primary = "wh-1", Secondary = "wh-2";
    const string RebuildTarget = "≥ 100,000 events/s (PostgreSQL); Marten async daemon ~37,000";

    static readonly string[] Channels = ["web", "app", "marketplace:amazon", "pos:store-12", "phone"];
    static readonly (string City, string PostalCode, string Country)[] Places =
        [("Berlin", "10115", "DE"), ("Wien", "1010", "AT"), ("Paris", "75001", "FR"), ("Amsterdam", "1011", "NL"), ("Milano", "20121", "IT")];

    /// <summary>The five projectors, the same list the worker runs.</summary>
    internal static IReadOnlyList<IProjection> All() =>
        [new OrderSummaryProjection(), new OrderLinesProjection(), new OrderTimelineProjection(), new InventoryProjection(), new FulfilmentQueueProjection()];

    static string Sku(int i) => string.Create(CultureInfo.InvariantCulture, $"SKU-{i:D6}");

    static string Customer(int i) => string.Create(CultureInfo.InvariantCulture, $"c-{i:D5}");

    static string Ms(double ms) => ms.ToString("N2", CultureInfo.InvariantCulture);

    /// <summary>The machine is shared: every phase says how busy it was (1, 5, 15-minute load averages; 2 would be both cores busy).</summary>
    internal static void Phase(string backend, string phase)
    {
        var load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
        Console.WriteLine($"{backend}: {phase} (load average {load}, {Environment.ProcessorCount} cores)");
    }

    public static async Task<List<BenchResult>> RunAsync(string backend, BenchOptions options, List<string> problems)
    {
        var results = new List<BenchResult>();
        var pg = backend == "postgres";
        var name = BenchData.Made("bench_proj_" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture));
        await using var store = await StoreBenchmarks.Open(backend, options, name, fresh: true);
        var db = await ReadModels(backend, options, name);
        await using var provider = App(store);
        var mediator = provider.GetRequiredService<IMediator>();

        void Report(BenchResult r)
        {
            Console.WriteLine(r);
            results.Add(r);
        }

        // 1. Load.
        Phase(backend, "loading");
        var setupEvents = await Setup(mediator);
        var load = await Load(mediator, options.ProjectionEvents - setupEvents, problems, backend);
        var scan = await Scan(store);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend}: loaded {load.Orders.Count:N0} orders ({load.Holds:N0} put on hold, {load.Shipped:N0} shipped) with {Callers} callers in {load.Elapsed.TotalSeconds:N1} s " +
            $"({load.Orders.Count / load.Elapsed.TotalSeconds:N0} orders/s); the store holds {scan.Total:N0} events " +
            $"({scan.OrderEvents:N0} in order streams, {scan.StockEvents:N0} in stock/backorder streams, {setupEvents:N0} from setup)"));
        if (scan.Total < options.ProjectionEvents)
            Problem(problems, $"{backend} projections: the store holds {scan.Total:N0} events, fewer than the {options.ProjectionEvents:N0} asked for");
        Report(new BenchResult(backend, $"load: PlaceOrder (2 lines), {Callers} callers", load.Orders.Count, load.Elapsed, load.LatenciesMs, "", "orders"));

        // 2. Rebuild throughput: each projection alone from empty tables, then all five together.
        Phase(backend, "rebuilding");
        WorkedAround = false;
        long Matching(IProjection p) => p is InventoryProjection ? scan.StockEvents : scan.OrderEvents;
        foreach (var projection in All())
        {
            await ResetAsync(db, [projection]);
            var (elapsed, batches) = await CatchUp(store, db, [projection], backend);
            var mark = projection is OrderSummaryProjection && WorkedAround ? " + bench index" : "";
            Report(new BenchResult(backend, $"rebuild {projection.Name} alone (per page){mark}", Matching(projection), elapsed, batches, pg ? RebuildTarget : "(Marten async daemon ~37,000)",
                Limit: pg ? MachineLimits.PgRows100 : MachineLimits.SqliteRows100));
        }
        {
            var all = All();
            await ResetAsync(db, all);
            using var stopAppends = new CancellationTokenSource();
            var appends = AppendsMeanwhile(store, stopAppends.Token);
            var (elapsed, batches) = await CatchUp(store, db, all, backend);
            await stopAppends.CancelAsync();
            var (waits, failures) = await appends;
            Report(new BenchResult(backend, $"rebuild all 5 together (Σ events, per page){(WorkedAround ? " + bench index" : "")}", all.Sum(Matching), elapsed, batches, pg ? RebuildTarget : "(Marten async daemon ~37,000)",
                Limit: pg ? MachineLimits.PgRows100 : MachineLimits.SqliteRows100));
            Report(new BenchResult(backend, string.Create(CultureInfo.InvariantCulture, $"one-event appends meanwhile (longest {waits.DefaultIfEmpty().Max():N0} ms)"),
                waits.Length, elapsed, waits, "(information: none may fail)", "appends"));
            if (failures.Count > 0)
                Problem(problems, $"{backend}: {failures.Count} of {waits.Length + failures.Count} appends failed while the read models were rebuilt: {failures[0]}");
        }
        await CheckRows(backend, db, load.Orders.Count, load.Holds, load.Shipped, load.ShippedUnits, scan.OrderEvents, problems, "after rebuild");
        if (WorkedAround)
            Problem(problems, $"{backend}: order_locations has no index leading with order_id, so the order summary projector's " +
                "\"delete from order_locations where order_id = @OrderId\" scans the table at every allocation (quadratic rebuild). " +
                "This run added \"create index bench_order_locations_order on order_locations (order_id)\" to its own read-model database; " +
                "rows marked \"+ bench index\" are measured with it. The schema (projections/.../OrderSummary/schema.*.sql) needs that index.");

        // 3. Lag of the order summary behind a steady 1,000 orders/s, with the host running every projection. The rebuilds
        // just wrote the read models several times over; their dirty pages (PostgreSQL: gigabytes of WAL, checkpoints
        // running on; SQLite: a WAL the size of the read models) are written out first, as the database would do on its
        // own within minutes, so that the lag measures the projections, not the rebuilds' aftermath (measured both ways
        // in docs/benchmarks.md).
        await SettleAsync(backend, db);
        Phase(backend, "lag run");
        var lag = await Lag(backend, store, db, mediator, options.Duration, problems);
        // The rate shown is what the store acknowledged while the lag was measured: the issue's lag is at 1,000 orders/s.
        Report(new BenchResult(backend, $"order_summary lag at {LagRate:N0} orders/s (ack → checkpoint){(WorkedAround ? " + bench index" : "")}", lag.Orders, lag.Elapsed, lag.LatenciesMs,
            $"p99 ≤ 100 ms while ≥ {LagRate * 95 / 100:N0} orders/s are acknowledged", "orders"));
        Report(new BenchResult(backend, $"  the same, the host's first {LagWarmUp} s in this process (its warm-up, not counted above)", lag.WarmUpMs.Length,
            TimeSpan.FromSeconds(LagWarmUp), lag.WarmUpMs, "p99 (for information: the target is the row above)", "orders"));
        var placedInLag = lag.Placed;
        await CheckRows(backend, db, load.Orders.Count + placedInLag.Count, load.Holds, load.Shipped, load.ShippedUnits, null, problems, "after the lag run");

        // 4. Dashboard queries at the loaded size (the host is stopped: reads only). PostgreSQL first gets what autovacuum
        // would soon do on its own (statistics, visibility map), so that it does not happen in the middle of the timings.
        if (pg) await VacuumAsync(backend, db);
        var orders = load.Orders.Count + placedInLag.Count;
        var scale = orders >= 1_000_000 ? $"{orders:N0} orders" : $"{orders:N0} orders; issue asks 1M";
        Phase(backend, "dashboard queries");
        results.AddRange(await Queries(backend, db, [.. load.Orders, .. placedInLag], load.From, scale)); // printed as they run
        return results;
    }

    /// <summary>What autovacuum would soon do on its own (statistics, visibility map), done before timing queries.</summary>
    internal static async Task VacuumAsync(string backend, ProjectionDatabase db)
    {
        var vacuum = Stopwatch.StartNew();
        await using (var conn = await db.OpenAsync(CancellationToken.None))
            foreach (var (table, _) in All().SelectMany(p => p.Tables))
                await conn.ExecuteAsync($"vacuum (analyze) {table}", commandTimeout: 600);
        Console.WriteLine($"{backend}: vacuum (analyze) of the read models took {vacuum.Elapsed.TotalSeconds:N1} s");
    }

    /// <summary>Writes out what the rebuilds left in the WAL (PostgreSQL: a checkpoint; SQLite: a truncating WAL checkpoint).</summary>
    static async Task SettleAsync(string backend, ProjectionDatabase db)
    {
        var settle = Stopwatch.StartNew();
        await using (var conn = await db.OpenAsync(CancellationToken.None))
            await conn.ExecuteAsync(db.Dialect == SqlDialect.Postgres ? "checkpoint" : "pragma wal_checkpoint(truncate)", commandTimeout: 600,
                commandType: System.Data.CommandType.Text);  // (one word: Dapper would call a procedure)
        Console.WriteLine($"{backend}: checkpoint after the rebuilds took {settle.Elapsed.TotalSeconds:N1} s");
    }

    /// <summary>The read-model database: the store's own SQLite file, or a schema beside the events' schema.</summary>
    static async Task<ProjectionDatabase> ReadModels(string backend, BenchOptions options, string name)
    {
        if (backend == "sqlite") return ProjectionDatabase.Sqlite(Path.Combine(options.SqliteDirectory, name + ".db"));
        var schema = name + "_read";
        await using (var conn = new NpgsqlConnection(options.PostgresConnection))
        {
            await conn.OpenAsync();
            await conn.ExecuteAsync($"drop schema if exists {schema} cascade");
        }
        return ProjectionDatabase.Postgres(options.PostgresConnection!, schema);
    }

    /// <summary>What a host builds, with a clock that callers can pin to a business time (placement dates across 30 days).</summary>
    internal static ServiceProvider App(IEventStore store)
    {
        var services = new ServiceCollection();
        services.AddSingleton(store);
        services.AddSingleton<TimeProvider>(new PinnedClock());
        services.AddOmsApplication();
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// The system clock, except inside a flow that pinned a time (<see cref="SendAtAsync"/>): handlers take "now" from it,
    /// so orders are placed at spread-out business times while everything else (timestamps, caches) runs on real time.
    /// </summary>
    sealed class PinnedClock : TimeProvider
    {
        public static readonly AsyncLocal<DateTimeOffset?> Pinned = new();

        public override DateTimeOffset GetUtcNow() => Pinned.Value ?? base.GetUtcNow();
    }

    // Async, so the pinned time flows into the send and is gone again when it returns.
    static async Task<CommandResult> SendAtAsync(IMediator mediator, OmsCommand command, DateTimeOffset? at)
    {
        PinnedClock.Pinned.Value = at;
        return await mediator.Send(command);
    }

    /// <summary>Two locations and every SKU received at the first; returns the events that wrote (one each).</summary>
    internal static async Task<int> Setup(IMediator mediator)
    {
        await mediator.Send(new DefineLocation(Primary, "Warehouse 1", LocationKinds.Warehouse, 1, Ships: true));
        await mediator.Send(new DefineLocation(Secondary, "Warehouse 2", LocationKinds.Warehouse, 2, Ships: true));
        await Parallel.ForEachAsync(Enumerable.Range(0, SkuCount), new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (i, ct) => await mediator.Send(new ReceiveStock(Sku(i), Primary, UnitsPerSku, "bench-setup"), ct));
        return 2 + SkuCount;
    }

    internal sealed record Placed(string OrderId, string Customer, string Channel, DateTimeOffset PlacedAt);

    internal sealed record LoadRun(List<Placed> Orders, int Holds, long Shipped, long ShippedUnits, TimeSpan Elapsed, double[] LatenciesMs, DateTimeOffset From);

    /// <summary>A two-line order over the 1,000 SKUs, placed at <paramref name="at"/>, promised to ship within 1–4 days.</summary>
    static PlaceOrder NewOrder(Random random, DateTimeOffset at, out Placed placed)
    {
        var a = random.Next(SkuCount);
        var b = random.Next(SkuCount - 1);
        if (b >= a) b++;
        var customer = Customer(random.Next(Customers));
        var channel = Channels[random.Next(Channels.Length)];
        var place = Places[random.Next(Places.Length)];
        placed = new Placed("", customer, channel, at);
        return new PlaceOrder(channel, null, customer, new Address("Erika Mustermann", "Hauptstraße 1", null, place.City, null, place.PostalCode, place.Country),
            "EUR", random.Next(4) == 0 ? "express" : "standard", at.AddHours(24 + random.Next(72)),
            [new PlacedLine(1, Sku(a), 1 + random.Next(3), 19.99m), new PlacedLine(2, Sku(b), 1 + random.Next(2), 5.5m)], BackorderPolicies.Reject)
        { Actor = "bench" };
    }

    /// <summary>
    /// 64 callers place orders until they have appended <paramref name="events"/> events (order stream events and one stock
    /// reservation per line; every 200th order is also put on hold, one event more; every 10th other order is picked,
    /// packed and shipped whole 4–96 hours after its placement, so that the KPIs have cycle times to rank). Business times
    /// are spread uniformly over the 30 days before now.
    /// </summary>
    internal static async Task<LoadRun> Load(IMediator mediator, long events, List<string> problems, string backend, long maxOrders = long.MaxValue)
    {
        var to = DateTimeOffset.UtcNow;
        var from = to.AddDays(-Days);
        long appended = 0, placedCount = 0, failed = 0, shipped = 0, shippedUnits = 0;
        var holds = 0;
        var failures = new ConcurrentDictionary<string, Exception>();
        var perCaller = new ConcurrentBag<(List<Placed> Orders, List<double> Latencies)>();
        var clock = Stopwatch.StartNew();
        var lastReport = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            var mine = new List<Placed>();
            var latencies = new List<double>();
            while (Interlocked.Read(ref appended) < events && Interlocked.Read(ref placedCount) < maxOrders)
            {
                var at = from + TimeSpan.FromSeconds(random.NextDouble() * Days * 86_400);
                var command = NewOrder(random, at, out var placed);
                var start = Stopwatch.GetTimestamp();
                try
                {
                    var result = await SendAtAsync(mediator, command, at);
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    mine.Add(placed with { OrderId = result.Id });
                    Interlocked.Add(ref appended, result.Revision + 1 + command.Lines.Count);
                    if (Interlocked.Increment(ref placedCount) % HoldEvery == 0)
                    {
                        await SendAtAsync(mediator, new HoldOrder(result.Id, HoldReasons.All[random.Next(HoldReasons.All.Count)]) { Actor = "bench" }, at.AddMinutes(15));
                        Interlocked.Increment(ref holds);
                        Interlocked.Increment(ref appended);
                    }
                    else if (Interlocked.Read(ref placedCount) % ShipEvery == 0)
                    {
                        var lines = command.Lines.Select(l => new LineQuantity(l.LineNo, l.Quantity)).ToList();
                        var sent = at.AddHours(4 + random.NextDouble() * 92);
                        if (sent > to) sent = to;
                        await SendAtAsync(mediator, new StartPicking(result.Id) { Actor = "bench" }, at.AddHours(1));
                        await SendAtAsync(mediator, new ConfirmPick(result.Id, Primary, lines) { Actor = "bench" }, at.AddHours(2));
                        await SendAtAsync(mediator, new PackOrder(result.Id, Primary, [new Package($"{result.Id}-p", 800, lines)]) { Actor = "bench" }, at.AddHours(3));
                        await SendAtAsync(mediator, new ShipOrder(result.Id, $"{result.Id}-s", Primary, "DHL", "parcel", $"T{result.Id}", lines) { Actor = "bench" }, sent);
                        Interlocked.Increment(ref shipped);
                        Interlocked.Add(ref shippedUnits, lines.Sum(l => l.Quantity));
                        Interlocked.Add(ref appended, 4 + lines.Count);
                    }
                    if (seed == 0 && lastReport.Elapsed > TimeSpan.FromSeconds(30))
                    {
                        lastReport.Restart();
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{backend}: … {Interlocked.Read(ref placedCount):N0} orders, {Interlocked.Read(ref appended):N0} events in {clock.Elapsed.TotalSeconds:N0} s"));
                    }
                }
                catch (Exception e)
                {
                    if (Interlocked.Increment(ref failed) > 1_000) throw;
                    failures.TryAdd(e is DomainException d ? $"DomainException {d.Code}" : e.GetType().FullName!, e);
                }
            }
            perCaller.Add((mine, latencies));
        })));
        var elapsed = clock.Elapsed;
        if (failed > 0)
            Problem(problems, $"{backend} projections load: {failed:N0} orders failed; first of each kind:\n" + string.Join("\n", failures.Values.Select(e => e.ToString())));
        return new LoadRun([.. perCaller.SelectMany(c => c.Orders)], holds, shipped, shippedUnits, elapsed, [.. perCaller.SelectMany(c => c.Latencies)], from);
    }

    internal sealed record StoreScan(long Total, long OrderEvents, long StockEvents, long Last);

    /// <summary>Counts $all by the projections' filters (order streams; stock and backorder streams).</summary>
    internal static async Task<StoreScan> Scan(IEventStore store)
    {
        long total = 0, order = 0, stock = 0, from = 0, last = 0;
        while (true)
        {
            var slice = await store.ReadAllAsync(from, 10_000);
            foreach (var e in slice.Events)
            {
                total++;
                if (e.Stream.StartsWith(Streams.OrderPrefix, StringComparison.Ordinal)) order++;
                else if (e.Stream.StartsWith(Streams.StockPrefix, StringComparison.Ordinal) || e.Stream.StartsWith(Streams.BackorderPrefix, StringComparison.Ordinal)) stock++;
                last = e.Position;
            }
            from = slice.NextPosition;
            if (slice.IsEnd) return new StoreScan(total, order, stock, last);
        }
    }

    /// <summary>
    /// The order summary projector deletes an order's <c>order_locations</c> rows by <c>order_id</c> at every allocation,
    /// but that table's key leads with <c>location</c>: without an index leading with <c>order_id</c> every delete scans the
    /// whole table, and a rebuild slows down quadratically (measured on SQLite: ~1,450 ev/s in the first minute, ~650 ev/s in
    /// the second, with ~70,000 orders in the table). The schema is not the bench's to change: it adds the missing index to its own database,
    /// says so loudly, and stops doing so once the schema has one.
    /// </summary>
    static async Task<bool> WorkAroundOrderLocationsAsync(ProjectionDatabase db)
    {
        await using var conn = await db.OpenAsync(CancellationToken.None);
        var indexed = db.Dialect == SqlDialect.Postgres
            ? await conn.ExecuteScalarAsync<bool>(
                """
                select exists (select 1 from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
                               where i.indrelid = to_regclass('order_locations') and a.attname = 'order_id')
                """)
            : await conn.ExecuteScalarAsync<long>(
                "select count(*) from pragma_index_list('order_locations') l join pragma_index_info(l.name) c where c.seqno = 0 and c.name = 'order_id'") > 0;
        var table = db.Dialect == SqlDialect.Postgres
            ? await conn.ExecuteScalarAsync<bool>("select to_regclass('order_locations') is not null")
            : await conn.ExecuteScalarAsync<long>("select count(*) from sqlite_master where type = 'table' and name = 'order_locations'") > 0;
        if (indexed || !table) return false;
        await conn.ExecuteAsync("create index if not exists bench_order_locations_order on order_locations (order_id)");
        Console.WriteLine("WORKAROUND: order_locations has no index leading with order_id; the bench added bench_order_locations_order (order_id) to its read-model database");
        return true;
    }

    /// <summary>Drops the projections' tables and checkpoints and creates them again: an empty read-model database for them.</summary>
    internal static async Task ResetAsync(ProjectionDatabase db, IReadOnlyList<IProjection> projections)
    {
        await db.MigrateAsync(projections, CancellationToken.None);
        await using (var conn = await db.OpenAsync(CancellationToken.None))
            foreach (var projection in projections)
            {
                foreach (var (table, _) in projection.Tables) await conn.ExecuteAsync($"drop table if exists {table}");
                await conn.ExecuteAsync("delete from projection_checkpoints where name = @name", new { name = projection.Name });
            }
        await db.MigrateAsync(projections, CancellationToken.None);
        if (await WorkAroundOrderLocationsAsync(db)) WorkedAround = true;
    }

    static bool WorkedAround;

    /// <summary>
    /// Rebuilds the projections as an operator does (<see cref="ProjectionMaintenance.RebuildAsync(IReadOnlyList{IProjection}, IProgress{RebuildProgress}?, CancellationToken, Func{IProjection, Task{IAsyncDisposable}}?)"/>,
    /// the worker's <c>--rebuild</c>): one read of the log into shadow tables, their other indexes built at the end, the
    /// swap. Returns the time, index builds and swap included, and each page's duration.
    /// </summary>
    static async Task<(TimeSpan Elapsed, double[] BatchMs)> CatchUp(IEventStore store, ProjectionDatabase db, IReadOnlyList<IProjection> projections, string backend)
    {
        var batches = new ConcurrentBag<double>();
        var name = projections.Count == 1 ? projections[0].Name : $"{projections.Count} projections";
        var progress = new BatchTimes(batches, $"{backend}: … {name}");
        var counting = new CountingStore(store);
        var clock = Stopwatch.StartNew();
        var times = await new ProjectionMaintenance(counting, db).RebuildAsync(projections, new ImmediateProgress<RebuildProgress>(p => progress.Report(p.Position)), CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend}: rebuilt {name} in {clock.Elapsed.TotalSeconds:N1} s ({times}; {progress.Count:N0} pages; {counting.AllPages:N0} $all pages and {counting.StreamReads:N0} single streams read from the store)"));
        return (clock.Elapsed, [.. batches]);
    }

    /// <summary>
    /// A command every 20 ms while a rebuild runs (one event, to a stream no projection reads), timed: how long the
    /// rebuild makes the store's commits wait. On SQLite both write the same file.
    /// </summary>
    static async Task<(double[] WaitsMs, List<string> Failures)> AppendsMeanwhile(IEventStore store, CancellationToken stop)
    {
        var waits = new List<double>();
        var failures = new List<string>();
        var stream = "bench-probe-" + Guid.NewGuid().ToString("N")[..8];
        while (!stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                await store.AppendAsync(stream, ExpectedRevision.Any, [new EventData(Guid.CreateVersion7(), "BenchProbe.v1", "{}"u8.ToArray())], CancellationToken.None);
                waits.Add(clock.Elapsed.TotalMilliseconds);
            }
            catch (EventStoreException e)
            {
                failures.Add(e.Message);
            }
            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return ([.. waits], failures);
    }

    /// <summary>The store, counting the reads a runner makes: $all pages, and whole-stream reads (StreamStates folding a stream it has not cached).</summary>
    sealed class CountingStore(IEventStore inner) : IEventStore
    {
        long _allPages, _streamReads;

        public long AllPages => Interlocked.Read(ref _allPages);
        public long StreamReads => Interlocked.Read(ref _streamReads);

        public Task<AppendResult> AppendAsync(string stream, ExpectedRevision expectedRevision, IReadOnlyList<EventData> events, CancellationToken ct = default) =>
            inner.AppendAsync(stream, expectedRevision, events, ct);

        public Task<MultiStreamAppendResult> AppendMultipleAsync(IReadOnlyList<StreamAppend> appends, CancellationToken ct = default) =>
            inner.AppendMultipleAsync(appends, ct);

        public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string stream, long fromRevision, Direction direction, int maxCount, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _streamReads);
            return inner.ReadStreamAsync(stream, fromRevision, direction, maxCount, ct);
        }

        public Task<AllSlice> ReadAllAsync(long fromPosition, int maxCount, EventFilter? filter = null, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _allPages);
            return inner.ReadAllAsync(fromPosition, maxCount, filter, ct);
        }

        public IAsyncEnumerable<RecordedEvent> SubscribeToAll(FromAll from, EventFilter? filter = null, CancellationToken ct = default) =>
            inner.SubscribeToAll(from, filter, ct);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the inner store belongs to the caller
    }

    /// <summary>The runner reports after each committed batch: the time between reports is a batch (read, apply, commit).</summary>
    sealed class BatchTimes(ConcurrentBag<double> into, string label) : IProgress<long>
    {
        readonly Stopwatch _sinceReport = Stopwatch.StartNew();
        long _last = Stopwatch.GetTimestamp();

        public int Count { get; private set; }

        public void Report(long value)
        {
            var now = Stopwatch.GetTimestamp();
            into.Add(Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds);
            _last = now;
            Count++;
            if (_sinceReport.Elapsed < TimeSpan.FromMinutes(1)) return;
            _sinceReport.Restart();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label} at position {value:N0} after {Count:N0} batches"));
        }
    }

    /// <summary>The read models against what was placed: one summary and one queue row per order, two lines each, every reservation.</summary>
    internal static async Task CheckRows(string backend, ProjectionDatabase db, long orders, long holds, long shipped, long shippedUnits, long? orderEvents,
        List<string> problems, string when, long ordersWithoutShipBy = 0)
    {
        await using var conn = await db.OpenAsync(CancellationToken.None);
        async Task<long> Count(string sql) => await conn.ExecuteScalarAsync<long>(sql);
        var checks = new List<(string What, long Actual, long Expected)>
        {
            ("order_summary rows", await Count("select count(*) from order_summary"), orders),
            ("order_summary reserved", await Count("select count(*) from order_summary where status = 'reserved'"), orders - shipped),
            ("order_summary shipped", await Count("select count(*) from order_summary where status = 'shipped'"), shipped),
            ("order_summary on hold", await Count("select count(*) from order_summary where hold_reason is not null"), holds),
            ("order_locations rows", await Count("select count(*) from order_locations"), orders),
            ("order_lines rows", await Count("select count(*) from order_lines"), 2 * orders),
            ("fulfilment_queue rows", await Count("select count(*) from fulfilment_queue"), orders - shipped),
            ("fulfilment_queue on hold", await Count("select count(*) from fulfilment_queue where on_hold = 1"), holds),
            ("order_lines reserved = fulfilment to_pick", await Count("select coalesce(sum(reserved), 0) from order_lines"), await Count("select coalesce(sum(to_pick), 0) from fulfilment_queue")),
            ("inventory reserved = order_lines reserved", await Count("select coalesce(sum(reserved), 0) from inventory_levels"), await Count("select coalesce(sum(reserved), 0) from order_lines")),
            ("inventory on hand", await Count("select coalesce(sum(on_hand), 0) from inventory_levels"), (long)SkuCount * UnitsPerSku - shippedUnits),
        };
        if (orderEvents is { } n) checks.Add(("order_timeline rows", await Count("select count(*) from order_timeline"), n));
        // The pre-aggregated rows against the rows they count.
        checks.Add(("order_status_counts reserved", await Count("select coalesce(sum(orders), 0) from order_status_counts where status = 'reserved'"), orders - shipped));
        checks.Add(("order_status_counts on hold", await Count("select coalesce(sum(on_hold), 0) from order_status_counts"), holds));
        checks.Add(("kpi_daily orders", await Count("select coalesce(sum(orders), 0) from kpi_daily"), orders));
        checks.Add(("kpi_daily shipped", await Count("select coalesce(sum(shipped), 0) from kpi_daily"), shipped));
        checks.Add(("kpi_cycle_times orders", await Count("select coalesce(sum(orders), 0) from kpi_cycle_times"), shipped));
        checks.Add(("fulfilment_queue_locations entries", await Count("select coalesce(sum(entries), 0) from fulfilment_queue_locations"), orders - shipped));
        checks.Add(("fulfilment_queue_locations units to pick", await Count("select coalesce(sum(units_to_pick), 0) from fulfilment_queue_locations"),
            await Count("select coalesce(sum(to_pick), 0) from fulfilment_queue")));
        checks.Add(("fulfilment_queue_ship_by entries", await Count("select coalesce(sum(entries), 0) from fulfilment_queue_ship_by"), orders - shipped - ordersWithoutShipBy));
        var wrong = checks.Where(c => c.Actual != c.Expected).ToList();
        if (wrong.Count == 0)
            Console.WriteLine($"{backend}: read models {when}: {string.Join(", ", checks.Select(c => $"{c.What} {c.Actual:N0}"))} — as expected");
        else
            Problem(problems, $"{backend} read models {when}: " + string.Join("; ", wrong.Select(c => $"{c.What} {c.Actual:N0}, expected {c.Expected:N0}")));
    }

    /// <param name="Orders">Orders the store acknowledged during the measured <paramref name="Elapsed"/> (whenever issued).</param>
    /// <param name="Placed">Every order placed, the warm-up's too.</param>
    /// <param name="WarmUpMs">The lag of the orders issued during the warm-up.</param>
    sealed record LagRun(long Orders, TimeSpan Elapsed, double[] LatenciesMs, List<Placed> Placed, double[] WarmUpMs);

    /// <summary>
    /// Seconds the host runs under the same load before the measured run: the lag is a server's steady state, not the
    /// first seconds of a host in a process that has not run its live path yet. In those seconds the JIT compiles and
    /// recompiles that path (0.2–0.3 s of CPU per second of the run on two cores) and the commands' acknowledgements fall
    /// behind (200–400 of 1,000 in the first second): p99 190–340 ms there, against 60–70 ms in a second run in the
    /// same process after a fresh CHECKPOINT. Not the checkpoint's full-page images: with <c>full_page_writes=off</c> the
    /// first second was as slow (282 ms). Their lag is reported on a line of its own.
    /// </summary>
    const int LagWarmUp = 5;

    /// <summary>
    /// The host runs every projection; orders are placed at <see cref="LagRate"/>/s (each as its own task, issued on
    /// schedule whatever the previous ones do). One watcher polls the order summary's checkpoint (one indexed row, about
    /// every millisecond) and stamps each order when the checkpoint reaches the position its command returned.
    /// </summary>
    static async Task<LagRun> Lag(string backend, IEventStore store, ProjectionDatabase db, IMediator mediator, TimeSpan duration, List<string> problems)
    {
        var projections = All();
        var summary = projections[0];
        using var stopHost = new CancellationTokenSource();
        var host = new ProjectionHost(store, db, projections);
        var hosting = host.RunAsync(stopHost.Token);
        var started = Stopwatch.StartNew();
        while (projections.Any(p => host.Activities.GetValueOrDefault(p.Name) != ProjectionActivity.Running))
        {
            if (started.Elapsed > TimeSpan.FromSeconds(30) || hosting.IsCompleted)
                throw new InvalidOperationException($"{backend}: the projection host did not start: {string.Join(", ", host.Activities.Select(a => $"{a.Key} {a.Value}"))}", hosting.Exception);
            await Task.Delay(10);
        }
        Console.WriteLine($"{backend}: projection host running {projections.Count} projections after {started.Elapsed.TotalMilliseconds:N0} ms");

        // Diagnostic (OMS_BENCH_LAG_TRACE=1; it adds a reader, so not in published runs): when a plain subscription to the
        // order streams sees each order's last event, to split the lag into the store's delivery and the projection's work.
        var trace = Environment.GetEnvironmentVariable("OMS_BENCH_LAG_TRACE") == "1";
        var delivered = new ConcurrentDictionary<long, long>();
        var acks = new ConcurrentBag<(int Second, long Position, long AckedAt)>();
        using var stopTrace = new CancellationTokenSource();
        var tracing = Task.CompletedTask;
        if (trace)
        {
            long from;
            await using (var conn = await db.OpenAsync(CancellationToken.None))
                from = await conn.ExecuteScalarAsync<long?>("select position from projection_checkpoints where name = @name", new { name = summary.Name }) ?? 0;
            tracing = Task.Run(async () =>
            {
                try
                {
                    await foreach (var e in store.SubscribeToAll(FromAll.AfterPosition(from), summary.Filter, stopTrace.Token))
                        delivered[e.Position] = Stopwatch.GetTimestamp();
                }
                catch (OperationCanceledException) { }
            });
        }

        var pending = new List<(long Position, long AckedAt, TaskCompletionSource<double> Done)>();
        using var stopWatcher = new CancellationTokenSource();
        var sinceStop = new Stopwatch();
        var pollMs = new List<double>();
        long sending = 0; // issued orders whose command has not returned (or failed) yet
        // A thread of its own with blocking reads, so that a busy thread pool never delays the stamps.
        var watcher = new Thread(() =>
        {
            using var conn = db.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
            while (true)
            {
                var polled = Stopwatch.GetTimestamp();
                var checkpoint = conn.ExecuteScalar<long?>("select position from projection_checkpoints where name = @name", new { name = summary.Name }) ?? 0;
                var seen = Stopwatch.GetTimestamp();
                pollMs.Add(Stopwatch.GetElapsedTime(polled, seen).TotalMilliseconds);
                lock (pending)
                {
                    pending.RemoveAll(p =>
                    {
                        if (p.Position > checkpoint) return false;
                        p.Done.TrySetResult(Stopwatch.GetElapsedTime(p.AckedAt, seen).TotalMilliseconds);
                        return true;
                    });
                    if (stopWatcher.IsCancellationRequested && Interlocked.Read(ref sending) == 0 && (pending.Count == 0 || sinceStop.Elapsed > DrainLimit))
                    {
                        foreach (var p in pending) p.Done.TrySetResult(double.NaN);
                        return;
                    }
                }
                Thread.Sleep(1);
            }
        }) { IsBackground = true, Name = "checkpoint watcher" };
        watcher.Start();

        var placed = new ConcurrentBag<Placed>();
        long failed = 0, lastPosition = 0;
        var failures = new ConcurrentDictionary<string, Exception>();
        var latencies = new ConcurrentBag<double>();
        var bySecond = new ConcurrentBag<(int Second, double Ms)>();  // when the order was acknowledged: where in the run the tail is
        var random = new Random(1234);
        var tasks = new List<Task>();
        // This process also runs the store's client and the projections: the GC's pauses per second show whether a tail is the GC's.
        var gcPauses = new List<double>();  // [i]: paused in second i of the run
        var gcCounts = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
        var pausedBefore = GC.GetTotalPauseDuration();
        void SecondPaused()
        {
            var paused = GC.GetTotalPauseDuration();
            gcPauses.Add((paused - pausedBefore).TotalMilliseconds);
            pausedBefore = paused;
        }
        var warmUp = TimeSpan.FromSeconds(LagWarmUp);
        var warmUpMs = new ConcurrentBag<double>();
        var commandMs = new ConcurrentBag<double>();  // PlaceOrder, issue → acknowledgement, after the warm-up: whether the system keeps up with the rate
        var clock = Stopwatch.StartNew();
        long issued = 0;
        int Second() => (int)Math.Floor((clock.Elapsed - warmUp).TotalSeconds);  // of the measured run: the warm-up's are negative
        while (clock.Elapsed < warmUp + duration)
        {
            if ((int)clock.Elapsed.TotalSeconds > gcPauses.Count) SecondPaused();
            var due = (long)(clock.Elapsed.TotalSeconds * LagRate);
            for (; issued < due; issued++)
            {
                var warming = clock.Elapsed < warmUp;
                var command = NewOrder(random, DateTimeOffset.UtcNow, out var order);
                var sent = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref sending);
                tasks.Add(Task.Run(async () =>
                {
                    try
                    {
                        var result = await mediator.Send(command);
                        var acked = Stopwatch.GetTimestamp();
                        if (!warming) commandMs.Add(Stopwatch.GetElapsedTime(sent, acked).TotalMilliseconds);
                        var done = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
                        lock (pending) pending.Add((result.Position, acked, done));
                        Interlocked.Decrement(ref sending);
                        placed.Add(order with { OrderId = result.Id });
                        InterlockedMax(ref lastPosition, result.Position);
                        var second = Second();
                        if (trace) acks.Add((second, result.Position, acked));
                        var lag = await done.Task;
                        (warming ? warmUpMs : latencies).Add(lag);
                        bySecond.Add((second, lag));
                    }
                    catch (Exception e)
                    {
                        Interlocked.Decrement(ref sending);
                        Interlocked.Increment(ref failed);
                        failures.TryAdd(e is DomainException d ? $"DomainException {d.Code}" : e.GetType().FullName!, e);
                    }
                }));
            }
            await Task.Delay(1);
        }
        var elapsed = clock.Elapsed - warmUp;
        SecondPaused();
        gcCounts = [GC.CollectionCount(0) - gcCounts[0], GC.CollectionCount(1) - gcCounts[1], GC.CollectionCount(2) - gcCounts[2]];
        // Every order has registered once its command returned; the watcher then drains what is pending (DrainLimit at most).
        sinceStop.Start();
        await stopWatcher.CancelAsync();
        await Task.WhenAll(tasks);
        watcher.Join();

        // Read-your-writes as the API offers it, for the last order of the run, and how long every projection took to reach it.
        var ryw = new ReadYourWrites(store, db);
        foreach (var projection in projections)
        {
            var wait = Stopwatch.StartNew();
            var reached = await ryw.WaitForAsync(projection, lastPosition, TimeSpan.FromSeconds(30), CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{backend}: {projection.Name} {(reached ? "reached" : "did NOT reach")} the last order's position {lastPosition:N0} ({wait.Elapsed.TotalMilliseconds:N0} ms after the watcher finished)"));
            if (!reached) Problem(problems, $"{backend} lag: {projection.Name} did not reach position {lastPosition} within 30 s of the last order");
        }
        foreach (var (projection, activity) in host.Activities)  // before stopping: a stopped host lists nothing
            if (activity is ProjectionActivity.Failed) Problem(problems, $"{backend} lag: projection {projection} failed (poison event) during the run");
        await stopHost.CancelAsync();
        try { await hosting; } catch (OperationCanceledException) { }

        var measured = latencies.Where(l => !double.IsNaN(l)).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend}: {issued:N0} orders issued at {LagRate:N0}/s over {LagWarmUp} s of warm-up and {elapsed.TotalSeconds:N1} s measured, {placed.Count:N0} placed, {failed:N0} failed; " +
            $"{pollMs.Count:N0} checkpoint polls (each p50 {Ms(Percentile(pollMs, 0.5))} ms, p99 {Ms(Percentile(pollMs, 0.99))} ms, max {Ms(pollMs.Max())} ms)"));
        // "-5s 190, …, 0s 54, 1s 20, …": the p99 of the orders acknowledged in each second (where a tail is); negative: the warm-up.
        static string P99BySecond(IEnumerable<(int Second, double Ms)> values) => string.Join(", ", values.Where(b => !double.IsNaN(b.Ms)).GroupBy(b => b.Second)
            .OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}s {Percentile([.. g.Select(b => b.Ms)], 0.99):N0}"))) + " ms";
        Console.WriteLine($"{backend}: lag p99 by second of the run: {P99BySecond(bySecond)}");
        // Whether the store kept up with the rate while the projections ran: if not, the orders queue before they reach
        // the store, and the lag (which starts at the acknowledgement) is measured at the rate it did manage.
        var seconds = Math.Max(1, (int)duration.TotalSeconds);  // whole seconds measured
        var acknowledgedInRun = bySecond.Count(b => b.Second >= 0 && b.Second < seconds);
        var acknowledged = acknowledgedInRun / seconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend}: PlaceOrder after the warm-up: {acknowledged:N0} acknowledged per second of the measured run (issued {LagRate:N0}/s); " +
            $"issue → acknowledgement p50 {Ms(Percentile([.. commandMs], 0.5))} ms, p99 {Ms(Percentile([.. commandMs], 0.99))} ms"));
        Console.WriteLine($"{backend}: orders acknowledged by second of the run: " +
            string.Join(", ", bySecond.GroupBy(b => b.Second).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key}s {g.Count():N0}"))));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend}: this process's GC during the run: {gcCounts[0]:N0} gen0, {gcCounts[1]:N0} gen1, {gcCounts[2]:N0} gen2 collections; paused by second: ") +
            string.Join(", ", gcPauses.Select((ms, i) => string.Create(CultureInfo.InvariantCulture, $"{i - LagWarmUp}s {ms:N0}"))) + " ms");
        if (trace)
        {
            await stopTrace.CancelAsync();
            await tracing;
            var delays = acks.Where(a => delivered.ContainsKey(a.Position))
                .Select(a => (a.Second, Ms: Math.Max(0, Stopwatch.GetElapsedTime(a.AckedAt, delivered[a.Position]).TotalMilliseconds))).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{backend}: trace: ack → a plain subscription's delivery, {delays.Count:N0} of {acks.Count:N0} orders: p50 {Ms(Percentile([.. delays.Select(d => d.Ms)], 0.5))} ms, " +
                $"p99 {Ms(Percentile([.. delays.Select(d => d.Ms)], 0.99))} ms; p99 by second: ") + P99BySecond(delays));
        }
        if (failed > 0)
            Problem(problems, $"{backend} lag: {failed:N0} orders failed; first of each kind:\n" + string.Join("\n", failures.Values.Select(e => e.ToString())));
        var warmed = warmUpMs.Where(l => !double.IsNaN(l)).ToArray();
        var lost = latencies.Count - measured.Length + warmUpMs.Count - warmed.Length;
        if (lost > 0)
            Problem(problems, $"{backend} lag: {lost:N0} orders never appeared in order_summary's checkpoint within {DrainLimit.TotalSeconds:N0} s of the last order");
        return new LagRun(acknowledgedInRun, TimeSpan.FromSeconds(seconds), measured, [.. placed], warmed);
    }

    static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    static void InterlockedMax(ref long target, long value)
    {
        for (var current = Interlocked.Read(ref target); value > current; current = Interlocked.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, current) == current) return;
    }

    /// <summary>One dashboard query: how to run it with fresh arguments, and the SQL it sends (for a plan when it is slow).</summary>
    sealed record QueryCase(string Label, Func<Random, Task<object?>> Run, Func<Random, Task<(string Sql, object Args)>> Plan);

    internal static async Task<List<BenchResult>> Queries(string backend, ProjectionDatabase db, List<Placed> orders, DateTimeOffset from, string scale)
    {
        var summaries = new OrderSummaryQueries(db);
        var inventory = new InventoryQueries(db);
        var queue = new FulfilmentQueueQueries(db);
        var kpis = new KpiQueries(db);
        var results = new List<BenchResult>();
        var ct = CancellationToken.None;

        Placed AnyOrder(Random r) => orders[r.Next(orders.Count)];
        // Whole days inside the loaded period (its first and last day are partial).
        DateTimeOffset Day(Random r) => new DateTimeOffset(from.UtcDateTime.Date, TimeSpan.Zero).AddDays(1 + r.Next(Days - 1));
        DateOnly Week(Random r) => DateOnly.FromDateTime(from.UtcDateTime.Date).AddDays(1 + r.Next(Days - 7));

        var filters = new (string Name, Func<Random, OrderFilter> Filter)[]
        {
            ("status = reserved", _ => new OrderFilter(Status: "reserved")),
            ("channel", r => new OrderFilter(Channel: Channels[r.Next(Channels.Length)])),
            ("customer", r => new OrderFilter(CustomerId: AnyOrder(r).Customer)),
            ("placed on one day", r =>
            {
                var day = Day(r);
                return new OrderFilter(PlacedFrom: day, PlacedTo: day.AddDays(1));
            }),
            ("on hold", _ => new OrderFilter(OnHold: true)),
            ("location", _ => new OrderFilter(Location: Primary)),
            ("SKU", r => new OrderFilter(Sku: Sku(r.Next(SkuCount)))),
            ("ship-by breached", _ => new OrderFilter(ShipByBreached: true)),
        };

        var cases = new List<QueryCase>
        {
            new("order summary by id", async r => await summaries.GetAsync(AnyOrder(r).OrderId, ct),
                r => Task.FromResult<(string, object)>(("select * from order_summary where order_id = @orderId", new { orderId = AnyOrder(r).OrderId }))),
        };
        foreach (var (filterName, filter) in filters)
        {
            cases.Add(new($"list {filterName}, page 1 of {PageSize}", async r => await summaries.ListAsync(filter(r), null, PageSize, ct),
                r => Task.FromResult<(string, object)>(summaries.ListStatement(filter(r), null, PageSize))));
            // Page 2 follows the cursor of a page 1 fetched (untimed) just before.
            cases.Add(new($"list {filterName}, page 2 via cursor", async r =>
                {
                    var f = filter(r);
                    var first = await summaries.ListAsync(f, null, PageSize, ct);
                    return first.NextCursor is null ? null : new Func<Task<object?>>(async () => await summaries.ListAsync(f, first.NextCursor, PageSize, ct));
                },
                async r =>
                {
                    var f = filter(r);
                    var first = await summaries.ListAsync(f, null, PageSize, ct);
                    return summaries.ListStatement(f, first.NextCursor, PageSize);
                }));
        }
        cases.Add(new("inventory by SKU", async r => await inventory.BySkuAsync(Sku(r.Next(SkuCount)), ct),
            r => Task.FromResult<(string, object)>(("select * from inventory_levels where sku = @sku order by location; select backordered_units from inventory_backorders where sku = @sku",
                new { sku = Sku(r.Next(SkuCount)) }))));
        cases.Add(new("order status counts", async _ => await summaries.StatusCountsAsync(ct),
            _ => Task.FromResult<(string, object)>(("select status, orders, on_hold from order_status_counts order by status", new { }))));
        cases.Add(new("fulfilment queue by location (all)", async _ => await queue.ByLocationAsync(null, ct),
            _ => Task.FromResult<(string, object)>(("""
                  select s.location, s.orders_to_pick, (select min(q.waiting_since) from fulfilment_queue q where q.location = s.location),
                         (select sum(b.entries) from fulfilment_queue_ship_by b where b.location = s.location and b.hour < @hour),
                         (select count(*) from fulfilment_queue q where q.location = s.location and q.promised_ship_by >= @hour and q.promised_ship_by < @now)
                  from fulfilment_queue_locations s order by s.location
                  """, new { now = DateTimeOffset.UtcNow, hour = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddHours(DateTimeOffset.UtcNow.Hour), TimeSpan.Zero) }))));
        cases.Add(new("KPIs by day and channel, 7 days", async r =>
            {
                var week = Week(r);
                return await kpis.ByDayAndChannelAsync(week, week.AddDays(7), null, ct);
            },
            r =>
            {
                var week = Week(r);
                return Task.FromResult<(string, object)>(("select * from kpi_daily where day >= @from and day < @to; select * from kpi_cycle_percentiles where day >= @from and day < @to",
                    new { from = week.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to = week.AddDays(7).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }));
            }));

        foreach (var query in cases)
        {
            var random = new Random(query.Label.Length);
            var latencies = new List<double>();
            long rows = 0;
            var timed = TimeSpan.Zero;
            for (var i = -10; i < QueryRepetitions; i++) // ten untimed warm-ups
            {
                var start = Stopwatch.GetTimestamp();
                var result = await query.Run(random);
                if (result is Func<Task<object?>> second) // page 2: only the cursor read is timed
                {
                    start = Stopwatch.GetTimestamp();
                    result = await second();
                }
                else if (query.Label.Contains("page 2", StringComparison.Ordinal))
                    continue; // no second page for this argument
                var took = Stopwatch.GetElapsedTime(start);
                if (i < 0) continue;
                latencies.Add(took.TotalMilliseconds);
                timed += took;
                rows += Rows(result);
            }
            if (latencies.Count == 0)
            {
                Console.WriteLine($"{backend}: query {query.Label}: no argument had a second page at this size; no row");
                continue;
            }
            var r = new BenchResult(backend, $"query: {query.Label} ({scale})", latencies.Count, timed, [.. latencies], "p99 ≤ 5 ms", "queries",
                Limit: backend == "postgres" ? MachineLimits.PgRoundTripP99 : null);
            Console.WriteLine(r + string.Create(CultureInfo.InvariantCulture, $"  {(double)rows / Math.Max(1, latencies.Count):N1} rows/result"));
            results.Add(r);
            if (r.P99 > QueryTargetMs) await ExplainAsync(backend, db, query, r.P99);
        }
        return results;
    }

    static long Rows(object? result) => result switch
    {
        null => 0,
        OrderPage p => p.Orders.Count,
        SkuInventory s => s.Locations.Count,
        System.Collections.ICollection c => c.Count,
        _ => 1,
    };

    /// <summary>A slow query's plan for the owner of the read models: PostgreSQL's explain analyze, SQLite's query plan.</summary>
    static async Task ExplainAsync(string backend, ProjectionDatabase db, QueryCase query, double p99)
    {
        var (sql, args) = await query.Plan(new Random(7));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{backend}: SLOW QUERY (p99 {Ms(p99)} ms > {QueryTargetMs} ms): {query.Label}"));
        await using var conn = await db.OpenAsync(CancellationToken.None);
        foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            Console.WriteLine("  " + statement.ReplaceLineEndings(" "));
            var explain = db.Dialect == SqlDialect.Postgres ? "explain (analyze, buffers) " : "explain query plan ";
            var lines = db.Dialect == SqlDialect.Postgres
                ? await conn.QueryAsync<string>(explain + statement, args)
                : (await conn.QueryAsync(explain + statement, args)).Select(row => (string)((IDictionary<string, object>)row)["detail"]);
            foreach (var line in lines) Console.WriteLine("    " + line);
        }
    }

    internal static void Problem(List<string> problems, string message)
    {
        Console.Error.WriteLine("PROBLEM: " + message);
        problems.Add(message);
    }
}
