using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace EventSourcedOms.Bench;

/// <summary>
/// PlaceOrder end to end over HTTP (issue 5): the API in its own Release process, seeded over HTTP with two warehouses
/// and 1,000 SKUs, then loaded by wrk (an external load generator, place-order.lua) with 64 connections: two-line orders,
/// a unique Idempotency-Key each. Every response must be 201; anything else is counted and reported as a problem.
/// Load generator, API and (for PostgreSQL) the database share the machine's cores, so the CPU each used is printed.
/// </summary>
internal static class HttpBenchmarks
{
    const int SkuCount = 1_000;
    const int UnitsPerSku = 1_000_000; // per SKU and warehouse: the most one receipt accepts, far more than a run reserves
    static string? _dll;

    static string Sku(int i) => string.Create(CultureInfo.InvariantCulture, $"SKU-{i:D6}");

    public static async Task<List<BenchResult>> RunAsync(string backend, BenchOptions options, List<string> problems, MachineLimits limits)
    {
        _dll ??= ApiProcess.Build();
        var name = BenchData.Made("bench_http_" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture));
        var results = new List<BenchResult>();
        await using var api = await ApiProcess.StartAsync(_dll, backend, options, name);
        string[] changes = [.. options.ApiEnvironment.Select(e => $"{e.Key}={e.Value}"), .. options.IdempotencyKeys ? Array.Empty<string>() : ["no Idempotency-Key"]];
        var variant = changes.Length == 0 ? "" : $" [{string.Join(", ", changes)}]";
        Console.WriteLine($"{backend}: API pid {api.Pid} on {api.Url}{variant}");

        var setup = Stopwatch.StartNew();
        await SeedAsync(api);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend}: seeded 2 warehouses and {SkuCount:N0} SKUs × {UnitsPerSku:N0} units at each over HTTP in {setup.Elapsed.TotalSeconds:N1} s"));

        var postmaster = backend == "postgres" ? await Postmaster(options) : null;
        // The ceiling of this path on this machine: the same process, connections and wrk, but an endpoint that does nothing.
        var probe = await Wrk.RunAsync(api, options, TimeSpan.FromSeconds(5), "probe", postmaster, probe: true);
        Check(backend, "probe", probe, problems);
        var noop = new BenchResult(backend, $"limit: HTTP GET /health/live, {options.Connections} conns", probe.Created, probe.Elapsed, [], "", "requests",
            P50Ms: probe.P50Ms, P99Ms: probe.P99Ms);
        Console.WriteLine(noop);
        results.Add(noop);
        limits.Set(MachineLimits.HttpNoop, noop.EventsPerSecond, noop.Scenario);
        // JIT tiering and dynamic PGO, pools, state caches: a 3 s warm-up left the first run at a third of the second.
        var warmUp = await Wrk.RunAsync(api, options, TimeSpan.FromSeconds(10), "warm", postmaster);
        Check(backend, "warm-up", warmUp, problems);
        for (var i = 1; i <= options.HttpRuns; i++)
        {
            var run = await Wrk.RunAsync(api, options, options.Duration, $"r{i}", postmaster);
            Check(backend, $"run {i}", run, problems);
            var result = new BenchResult(backend, $"HTTP PlaceOrder (2 lines), {options.Connections} conns, run {i}{variant}", run.Created, run.Elapsed, [],
                backend == "postgres" ? "≥ 5,000 orders/s, p99 < 50 ms" : "", "orders", P50Ms: run.P50Ms, P99Ms: run.P99Ms,
                Limit: MachineLimits.HttpNoop);
            Console.WriteLine(result + string.Create(CultureInfo.InvariantCulture,
                $"  non-201 {run.Non201:N0}, socket errors {run.SocketErrors:N0}; cpu per order: API {run.ApiCpuMs:N3} ms, wrk {run.WrkCpuMs:N3} ms, PostgreSQL {(run.PostgresCpuMs is { } pg ? pg.ToString("N3", CultureInfo.InvariantCulture) : "–")} ms, rest of machine {run.OtherCpuMs:N3} ms; machine busy {run.MachineBusy:P0}"));
            results.Add(result);
            if (await ProjectionBacklog(api) is { } backlog) Console.WriteLine($"{backend}: projections in the API process, pending events after run {i}: {backlog}");
        }
        if (!string.IsNullOrWhiteSpace(api.Tail(1)))
            Console.WriteLine($"{backend}: API log (warnings and errors), last lines:\n{api.Tail(10)}");
        return results;
    }

    /// <summary>Each projection's pending events from /health/ready (counted up to 10,000), or null when there is none to report.</summary>
    static async Task<string?> ProjectionBacklog(ApiProcess api)
    {
        var pending = await api.ProjectionsAsync();
        return pending.All(p => p.Pending == 0) ? null : string.Join(", ", pending.Select(p => $"{p.Name} {p.Pending}"));
    }

    /// <summary>The PostgreSQL server's postmaster, to sample its CPU; null when it is not on this machine (or not readable).</summary>
    internal static async Task<int?> Postmaster(BenchOptions options)
    {
        await using var conn = new Npgsql.NpgsqlConnection(options.PostgresConnection);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("select current_setting('data_directory')", conn);
        var pidFile = Path.Combine((string)(await cmd.ExecuteScalarAsync())!, "postmaster.pid");
        try { return int.Parse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Not measured: the two locations one after the other (one catalogue stream), receipts 16 at a time.</summary>
    static async Task SeedAsync(ApiProcess api)
    {
        using var http = new HttpClient { BaseAddress = api.Url, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", api.AdminKey);
        foreach (var (id, priority) in new[] { ("wh-1", 1), ("wh-2", 2) })
            await Expect(await http.PostAsJsonAsync("/api/locations", new { locationId = id, name = $"Warehouse {priority}", kind = "warehouse", priority, ships = true }));
        var receipts = Enumerable.Range(0, SkuCount).SelectMany(i => new[] { (Sku(i), "wh-1"), (Sku(i), "wh-2") });
        await Parallel.ForEachAsync(receipts, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (r, ct) =>
            await Expect(await http.PostAsJsonAsync($"/api/inventory/{r.Item1}/receipts", new { location = r.Item2, quantity = UnitsPerSku, reference = "bench-setup" }, ct)));
    }

    static async Task Expect(HttpResponseMessage response)
    {
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created) return;
        throw new InvalidOperationException($"Seeding: {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    static void Check(string backend, string label, Wrk.Result run, List<string> problems)
    {
        if (run.Non201 == 0 && run.SocketErrors == 0) return;
        var message = string.Create(CultureInfo.InvariantCulture,
            $"{backend} HTTP {label}: {run.Non201:N0} of {run.Requests:N0} responses were not 201 (first: {run.FirstNon201}), {run.SocketErrors:N0} socket errors/timeouts");
        Console.Error.WriteLine("PROBLEM: " + message);
        problems.Add(message);
    }
}
