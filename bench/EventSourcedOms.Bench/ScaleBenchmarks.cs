using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections.Runner;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace EventSourcedOms.Bench;

/// <summary>
/// The API at the size the issue names (1M orders by default, <c>--scale-orders N</c>): orders loaded through the mediator
/// as <see cref="ProjectionBenchmarks"/> loads them, then the API as its own Release process on that store, building
/// every read model from zero; its peak RSS after that catch-up and after a PlaceOrder load, and every dashboard query at
/// that size, in-process and a few over HTTP. <c>--scale-reuse</c> keeps the loaded store for the next run (the read
/// models are always rebuilt by the API, so the catch-up is measured every time).
/// </summary>
internal static class ScaleBenchmarks
{
    const string Name = "bench_scale";
    const string RssTarget = "≤ 300 MB";
    const int HttpRepetitions = 200;
    static string? _dll;

    /// <summary>What the load placed, kept beside the store for --scale-reuse; <see cref="LastPosition"/> is where it ended.</summary>
    sealed record Loaded(long Orders, int Holds, long Shipped, long ShippedUnits, string Store, long LastPosition);

    public static async Task<List<BenchResult>> RunAsync(string backend, BenchOptions options, List<string> problems)
    {
        var results = new List<BenchResult>();
        void Report(BenchResult r)
        {
            Console.WriteLine(r);
            results.Add(r);
        }

        var marker = Path.Combine(options.SqliteDirectory, $"{Name}.{backend}.json");
        var identity = backend == "sqlite" ? ApiProcess.SqlitePath(options, Name) : new Npgsql.NpgsqlConnectionStringBuilder(options.PostgresConnection) { Password = null }.ToString();
        var loaded = options.ScaleReuse && File.Exists(marker) ? JsonSerializer.Deserialize<Loaded>(File.ReadAllText(marker)) : null;
        if (loaded is not null && (loaded.Orders < options.ScaleOrders || loaded.LastPosition <= 0 || loaded.Store != identity || !await StoreExists(backend, options)))
            loaded = null;

        // 1. The store: loaded now, or kept from an earlier run.
        await using (var store = await Open(backend, options, fresh: loaded is null))
        {
            if (loaded is null)
            {
                Directory.CreateDirectory(options.SqliteDirectory);  // a new --sqlite-dir: File.Delete throws for a missing directory
                File.Delete(marker);
                ProjectionBenchmarks.Phase(backend, $"scale: loading {options.ScaleOrders:N0} orders");
                await using var app = ProjectionBenchmarks.App(store);
                var mediator = app.GetRequiredService<IMediator>();
                await ProjectionBenchmarks.Setup(mediator);
                var load = await ProjectionBenchmarks.Load(mediator, long.MaxValue, problems, backend, options.ScaleOrders);
                var end = await ProjectionBenchmarks.Scan(store);
                loaded = new Loaded(load.Orders.Count, load.Holds, load.Shipped, load.ShippedUnits, identity, end.Last);
                Report(new BenchResult(backend, "scale: load PlaceOrder (2 lines), 64 callers", load.Orders.Count, load.Elapsed, load.LatenciesMs, "", "orders"));
                Directory.CreateDirectory(options.SqliteDirectory);
                await File.WriteAllTextAsync(marker, JsonSerializer.Serialize(loaded));
            }
            else
                Console.WriteLine($"{backend}: scale: reusing the store loaded earlier with {loaded.Orders:N0} orders ({marker})");
        }
        var scan = await ScanAsync(backend, options);
        Console.WriteLine($"{backend}: scale: the store holds {scan.Total:N0} events ({loaded.Orders:N0} orders)");

        // 2. The read models from zero, built by the API process itself.
        var db = backend == "sqlite" ? ProjectionDatabase.Sqlite(ApiProcess.SqlitePath(options, Name)) : ProjectionDatabase.Postgres(options.PostgresConnection!, Name + "_read");
        await ProjectionBenchmarks.ResetAsync(db, ProjectionBenchmarks.All());
        _dll ??= ApiProcess.Build();
        ProjectionBenchmarks.Phase(backend, "scale: API start and catch-up");
        var clock = Stopwatch.StartNew();
        await using var api = await ApiProcess.StartAsync(_dll, backend, options, Name, fresh: false);
        var startup = api.Memory();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{backend}: API pid {api.Pid} live after {clock.Elapsed.TotalSeconds:N1} s, RSS {startup.CurrentMb:N0} MB"));
        await CaughtUpAsync(api, backend);
        var caughtUp = clock.Elapsed;
        var afterCatchUp = api.Memory();
        var orders = loaded.Orders.ToString("N0", CultureInfo.InvariantCulture);
        Report(new BenchResult(backend, $"scale: API start + read models from zero, {orders} orders", scan.OrderEvents + scan.StockEvents, caughtUp, [], "",
            Limit: backend == "postgres" ? MachineLimits.PgRows100 : MachineLimits.SqliteRows100));
        Report(new BenchResult(backend, $"scale: API peak RSS after catch-up, {orders} orders", 0, caughtUp, [], RssTarget, "MB", Value: afterCatchUp.PeakMb));

        // 3. PlaceOrder load on top (every order of it lands in the read models too).
        var postmaster = backend == "postgres" ? await HttpBenchmarks.Postmaster(options) : null;
        var run = await Wrk.RunAsync(api, options, options.Duration, "scale", postmaster);
        if (run.Non201 > 0 || run.SocketErrors > 0)
            ProjectionBenchmarks.Problem(problems, $"{backend} scale: {run.Non201:N0} of {run.Requests:N0} PlaceOrder responses were not 201 (first: {run.FirstNon201}), {run.SocketErrors:N0} socket errors");
        Report(new BenchResult(backend, $"scale: HTTP PlaceOrder at {orders} orders, {options.Connections} conns", run.Created, run.Elapsed, [], "", "orders",
            P50Ms: run.P50Ms, P99Ms: run.P99Ms, Limit: MachineLimits.HttpNoop));
        // Requests wrk gave up on (its 10 s timeout) may still be placing orders: wait until the store stops growing.
        long placedByWrk;
        for (var previous = -1L; ; previous = placedByWrk)
        {
            await CaughtUpAsync(api, backend);
            placedByWrk = await PlacedAfterAsync(backend, options, loaded.LastPosition);
            if (placedByWrk == previous) break;
            await Task.Delay(2_000);
        }
        var afterLoad = api.Memory();
        Report(new BenchResult(backend, $"scale: API peak RSS after catch-up + PlaceOrder load", 0, options.Duration, [], RssTarget, "MB", Value: afterLoad.PeakMb));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend}: API RSS at startup {startup.CurrentMb:N0} MB, after catch-up {afterCatchUp.CurrentMb:N0} MB (peak {afterCatchUp.PeakMb:N0}), after load {afterLoad.CurrentMb:N0} MB (peak {afterLoad.PeakMb:N0})"));
        // wrk counts the responses it saw; orders still in flight when it stopped were placed too, and a reused store has
        // the orders of earlier runs' wrk loads: every order placed after the load, counted in the store above, is expected.
        await ProjectionBenchmarks.CheckRows(backend, db, loaded.Orders + placedByWrk, loaded.Holds, loaded.Shipped, loaded.ShippedUnits, null, problems, "built by the API",
            ordersWithoutShipBy: placedByWrk);

        // 4. Dashboard queries at this size: in-process against the API's read models, then a few through the API.
        if (backend == "postgres") await ProjectionBenchmarks.VacuumAsync(backend, db);
        var placed = await PlacedOrdersAsync(db);
        var from = placed.Min(p => p.PlacedAt);
        ProjectionBenchmarks.Phase(backend, "scale: dashboard queries");
        var scale = $"{placed.Count:N0} orders";
        results.AddRange(await ProjectionBenchmarks.Queries(backend, db, placed, from, scale));
        results.AddRange(await HttpQueriesAsync(api, backend, placed, from, scale));
        if (!string.IsNullOrWhiteSpace(api.Tail(1)))
            Console.WriteLine($"{backend}: API log (warnings and errors), last lines:\n{api.Tail(10)}");

        // 5. A restart: the read models are current, the stock states cold. The first order for each SKU starts from the
        // stock stream's snapshot (kept by the earlier loads) instead of folding the whole stream.
        await api.DisposeAsync();
        ProjectionBenchmarks.Phase(backend, "scale: API restart and PlaceOrder load");
        clock.Restart();
        await using var restarted = await ApiProcess.StartAsync(_dll, backend, options, Name, fresh: false);
        await CaughtUpAsync(restarted, backend);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{backend}: API restarted and caught up in {clock.Elapsed.TotalSeconds:N1} s"));
        var again = await Wrk.RunAsync(restarted, options, options.Duration, "scale", postmaster);
        if (again.Non201 > 0 || again.SocketErrors > 0)
            ProjectionBenchmarks.Problem(problems, $"{backend} scale restart: {again.Non201:N0} of {again.Requests:N0} PlaceOrder responses were not 201 (first: {again.FirstNon201}), {again.SocketErrors:N0} socket errors");
        Report(new BenchResult(backend, $"scale: HTTP PlaceOrder right after an API restart, {options.Connections} conns", again.Created, again.Elapsed, [], "", "orders",
            P50Ms: again.P50Ms, P99Ms: again.P99Ms, Limit: MachineLimits.HttpNoop));
        var afterRestart = restarted.Memory();
        Report(new BenchResult(backend, $"scale: API peak RSS after a restart + PlaceOrder load", 0, options.Duration, [], RssTarget, "MB", Value: afterRestart.PeakMb));
        return results;
    }

    /// <summary>The store the API is started on (its SQLite file in a folder of its own, or the schema <see cref="Name"/>).</summary>
    static Task<IEventStore> Open(string backend, BenchOptions options, bool fresh) =>
        StoreBenchmarks.Open(backend, options, Name, fresh, ApiProcess.SqlitePath(options, Name));

    static async Task<bool> StoreExists(string backend, BenchOptions options)
    {
        if (backend == "sqlite") return File.Exists(ApiProcess.SqlitePath(options, Name));
        await using var conn = new Npgsql.NpgsqlConnection(options.PostgresConnection);
        await conn.OpenAsync();
        return await conn.ExecuteScalarAsync<bool>("select exists (select 1 from information_schema.schemata where schema_name = @Name)", new { Name });
    }

    static async Task<ProjectionBenchmarks.StoreScan> ScanAsync(string backend, BenchOptions options)
    {
        await using var store = await Open(backend, options, fresh: false);
        return await ProjectionBenchmarks.Scan(store);
    }

    /// <summary>Orders placed after <paramref name="position"/> (OrderPlaced events in $all).</summary>
    static async Task<long> PlacedAfterAsync(string backend, BenchOptions options, long position)
    {
        await using var store = await Open(backend, options, fresh: false);
        long placed = 0;
        for (var from = position + 1; ;)
        {
            var slice = await store.ReadAllAsync(from, 10_000);
            placed += slice.Events.Count(e => e.Type.StartsWith("OrderPlaced", StringComparison.Ordinal));
            from = slice.NextPosition;
            if (slice.IsEnd) return placed;
        }
    }

    /// <summary>Polls /health/ready until every projection has no pending event; prints progress every 15 s.</summary>
    static async Task CaughtUpAsync(ApiProcess api, string backend)
    {
        var clock = Stopwatch.StartNew();
        var lastReport = Stopwatch.StartNew();
        while (true)
        {
            var projections = await api.ProjectionsAsync();
            if (projections.FirstOrDefault(p => p.Error is not null) is { Error: { } error } failed)
                throw new InvalidOperationException($"{backend}: projection {failed.Name} stopped: {error}");
            if (projections.Count > 0 && projections.All(p => p.Pending == 0)) return;
            if (lastReport.Elapsed > TimeSpan.FromSeconds(15))
            {
                lastReport.Restart();
                var (peak, current) = api.Memory();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{backend}: … catching up for {clock.Elapsed.TotalSeconds:N0} s: {string.Join(", ", projections.Select(p => $"{p.Name} at {p.Position:N0}"))}; RSS {current:N0} MB (peak {peak:N0})"));
            }
            if (clock.Elapsed > TimeSpan.FromHours(1)) throw new TimeoutException($"{backend}: the API did not catch up within an hour");
            await Task.Delay(500);
        }
    }

    /// <summary>The orders as the read model has them: the arguments the queries pick from.</summary>
    static async Task<List<ProjectionBenchmarks.Placed>> PlacedOrdersAsync(ProjectionDatabase db)
    {
        await using var conn = await db.OpenAsync(CancellationToken.None);
        // Unix milliseconds from either database, so no text format has to be parsed.
        var rows = await conn.QueryAsync<(string OrderId, string CustomerId, string Channel, long PlacedAt)>(
            db.Dialect == SqlDialect.Postgres
                ? "select order_id, customer_id, channel, (extract(epoch from placed_at) * 1000)::bigint from order_summary"
                : "select order_id, customer_id, channel, cast(round((julianday(placed_at) - 2440587.5) * 86400000) as integer) from order_summary");
        return [.. rows.Select(r => new ProjectionBenchmarks.Placed(r.OrderId, r.CustomerId, r.Channel, DateTimeOffset.FromUnixTimeMilliseconds(r.PlacedAt)))];
    }

    /// <summary>What a dashboard user waits for: a few of the queries through the API (HTTP, API key, JSON), one at a time.</summary>
    static async Task<List<BenchResult>> HttpQueriesAsync(ApiProcess api, string backend, List<ProjectionBenchmarks.Placed> orders, DateTimeOffset from, string scale)
    {
        using var http = new HttpClient { BaseAddress = api.Url, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", api.AdminKey);
        string Day(Random r) => DateOnly.FromDateTime(from.UtcDateTime.Date).AddDays(1 + r.Next(22)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var cases = new (string Label, Func<Random, string> Url)[]
        {
            ("GET /api/orders/{id}", r => $"/api/orders/{orders[r.Next(orders.Count)].OrderId}"),
            ("GET /api/orders?status=reserved", _ => "/api/orders?status=reserved"),
            ("GET /api/orders?customer=…", r => $"/api/orders?customer={orders[r.Next(orders.Count)].Customer}"),
            ("GET /api/dashboards/status", _ => "/api/dashboards/status"),
            ("GET /api/dashboards/fulfillment", _ => "/api/dashboards/fulfillment"),
            ("GET /api/dashboards/kpis (7 days)", r => { var d = Day(r); return $"/api/dashboards/kpis?from={d}&to={DateOnly.Parse(d, CultureInfo.InvariantCulture).AddDays(7):yyyy-MM-dd}"; }),
            ("GET /api/inventory/{sku}", r => $"/api/inventory/SKU-{r.Next(1000):D6}"),
        };
        var results = new List<BenchResult>();
        foreach (var (label, url) in cases)
        {
            var random = new Random(label.Length);
            var latencies = new List<double>();
            var timed = TimeSpan.Zero;
            for (var i = -10; i < HttpRepetitions; i++)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(url(random));
                await response.Content.LoadIntoBufferAsync();
                var took = Stopwatch.GetElapsedTime(start);
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"{backend}: {label} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                if (i < 0) continue;
                latencies.Add(took.TotalMilliseconds);
                timed += took;
            }
            var result = new BenchResult(backend, $"HTTP query: {label} ({scale})", latencies.Count, timed, [.. latencies], "", "queries");
            Console.WriteLine(result);
            results.Add(result);
        }
        return results;
    }
}
