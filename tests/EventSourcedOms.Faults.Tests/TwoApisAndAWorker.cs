using System.Diagnostics;
using System.Text.Json.Nodes;
using EventSourcedOms.EventStore.Tests.Support;
using EventSourcedOms.Faults.Tests.Support;
using EventSourcedOms.Projections;
using Npgsql;

namespace EventSourcedOms.Faults.Tests;

/// <summary>
/// Issue 6, the docker-compose topology without containers: one PostgreSQL, two API processes on two ports and one
/// projection worker. The API nodes run with <c>Oms__RunProjections=true</c>, as in docker-compose.yml: the worker
/// starts first and takes every projection's lease, the API nodes stand by (so read models do not stop when the
/// worker dies), and the advisory locks show that exactly one process projects each read model at any time.
/// </summary>
public sealed class TwoApisAndAWorker(PostgresServer server)
{
    [Fact]
    public async Task two_api_nodes_and_a_worker_share_one_store_read_each_others_writes_and_project_each_read_model_once()
    {
        var clock = Stopwatch.StartNew();
        await using var storage = new PostgresUnderTest(server.Require(), "topo");
        int port1 = OmsProcess.FreePort(), port2 = OmsProcess.FreePort();
        string url1 = $"http://127.0.0.1:{port1}", url2 = $"http://127.0.0.1:{port2}";
        await using var worker = OmsProcess.Worker("worker", storage.WorkerSettings("worker"));
        await using var api1 = OmsProcess.Api("api1", port1, new Dictionary<string, string>(storage.ApiSettings("api1")) { ["Oms__RunProjections"] = "true" });
        await using var api2 = OmsProcess.Api("api2", port2, new Dictionary<string, string>(storage.ApiSettings("api2")) { ["Oms__RunProjections"] = "true" });
        using var client = new OmsClient(url1, url2);
        var run = "t" + Guid.NewGuid().ToString("N")[..6];
        var traffic = new OrderTraffic(client, run);

        worker.Start();
        await UntilAsync(async () => (await HoldersAsync(storage)).Count(h => h.Holder == "worker") == ReadModels.All.Count, worker);
        api1.Start();
        api2.Start();
        await api1.WaitUntilAnswersAsync(url1 + "/health/live", Harness.StartTimeout);
        await api2.WaitUntilAnswersAsync(url2 + "/health/live", Harness.StartTimeout);
        await traffic.SeedAsync(Harness.Ct);

        // Orders through both nodes at once; each flow's steps alternate between them (placed on one, shipped via the other).
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Harness.Ct))
        {
            var load = traffic.RunAsync(workers: 4, stop.Token);
            try
            {
                await Harness.UntilAsync(150, () => client.Acknowledged.Count, api1);
            }
            finally
            {
                await stop.CancelAsync();
                await load;
            }
        }

        // A scarce SKU raced for from both nodes: 20 units, 60 single-unit orders, exactly 20 placed.
        var sku = $"RACE-{run}";
        Assert.True((await client.CommandAsync(1, Kind.Receive, $"/api/inventory/{sku}/receipts", new { location = OrderTraffic.Location, quantity = 20, reference = "race" },
            $"{run}-race-receipt", null, Harness.Ct)).Accepted);
        var race = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => client.CommandAsync(i, Kind.Place, "/api/orders",
            OrderTraffic.Order($"{run}-o-race{i}", sku, 1), $"{run}-race-{i}", $"{run}-o-race{i}", Harness.Ct)));
        Assert.Equal(20, race.Count(a => a.Status == 201));
        Assert.All(race.Where(a => a.Status != 201), a => Assert.Equal((409, "insufficient-stock"), (a.Status, a.Code)));

        // Read-your-writes across nodes: what one node answered, the other reads at that position.
        using var reader = new Reader(url1, url2);
        foreach (var placed in client.Acknowledged.Where(a => a.Kind == Kind.Place && a.Status == 201).Take(20))
        {
            var (status, body, stale) = await reader.GetAsync(1 - placed.Node, $"/api/orders/{placed.OrderId}?minPosition={placed.Position}");
            Assert.True((status, stale) == (200, false), $"{placed.OrderId} placed on node {placed.Node}, read on the other: {status}, stale {stale}");
            Assert.Equal(placed.OrderId, body!["orderId"]!.GetValue<string>());
        }
        var lastRace = race.Where(a => a.Status == 201).Max(a => a.Position);
        for (var node = 0; node < 2; node++)
        {
            var (status, body, stale) = await reader.GetAsync(node, $"/api/inventory/{sku}?minPosition={lastRace}");
            Assert.True((status, stale) == (200, false), $"node {node}: {status}, stale {stale}");
            Assert.Equal((20, 20, 0), (body!["onHand"]!.GetValue<int>(), body["reserved"]!.GetValue<int>(), body["available"]!.GetValue<int>()));
        }

        // One projector per read model: the worker holds every lease, the API nodes stand by.
        var holders = await HoldersAsync(storage);
        Assert.Equal(ReadModels.All.Select(p => (p.Name, "worker")).Order(), holders.Order());

        // The worker dies: a standby API node takes each lease over, still exactly one holder per read model, and reads keep up.
        await worker.KillAsync();
        await UntilAsync(async () => (await HoldersAsync(storage)) is var h && h.Count == ReadModels.All.Count && h.All(x => x.Holder is "api1" or "api2"), api1);
        holders = await HoldersAsync(storage);
        Assert.Equal(ReadModels.All.Count, holders.Select(h => h.Projection).Distinct().Count());
        var after = await client.CommandAsync(0, Kind.Place, "/api/orders", OrderTraffic.Order($"{run}-o-after", "FLT-A", 1), $"{run}-after", $"{run}-o-after", Harness.Ct);
        Assert.Equal(201, after.Status);
        var read = await reader.GetAsync(1, $"/api/orders/{run}-o-after?minPosition={after.Position}");
        Assert.True((read.Status, read.Stale) == (200, false), $"after the worker died: {read.Status}, stale {read.Stale}");

        Harness.AssertNoServerErrors(client);
        await api1.KillAsync();
        await api2.KillAsync();
        await using var store = await storage.OpenStoreAsync();
        var ledger = await StoreChecks.AssertAcknowledgedExactlyOnceAsync(store, client.Acknowledged, run);
        Assert.Equal(20, ledger.Orders.Values.Count(o => o.Lines.Any(l => l.Sku == sku)));
        await StoreChecks.AssertProjectionsVerifyAsync(store, storage.OpenReadModels());
        Harness.Report($"{nameof(TwoApisAndAWorker)}: {traffic.Flows} flows over two nodes, {client.Acknowledged.Count} answers, race 20/60 placed, " +
                       $"leases after the worker died: {string.Join(", ", holders.Select(h => $"{h.Projection}={h.Holder}"))}; {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Which process holds each projection's lease: the granted advisory locks (the key RunnerLease takes),
    /// named by the Application Name each process connects with.</summary>
    static async Task<List<(string Projection, string Holder)>> HoldersAsync(PostgresUnderTest storage)
    {
        await using var conn = new NpgsqlConnection(storage.ConnectionString);
        await conn.OpenAsync(Harness.Ct);
        await using var cmd = new NpgsqlCommand("""
            select p.name, a.application_name
              from unnest($1::text[]) as p(name)
              join pg_locks l on l.locktype = 'advisory' and l.granted and l.objsubid = 1
                             and ((l.classid::bigint << 32) | l.objid::bigint) = hashtext('oms_projection:' || $2 || ':' || p.name)::bigint
              join pg_stat_activity a on a.pid = l.pid
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = ReadModels.All.Select(p => p.Name).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = storage.ReadSchema });
        await using var rows = await cmd.ExecuteReaderAsync(Harness.Ct);
        var holders = new List<(string, string)>();
        while (await rows.ReadAsync(Harness.Ct)) holders.Add((rows.GetString(0), rows.GetString(1)[(storage.Schema.Length + 1)..]));
        return holders;
    }

    static async Task UntilAsync(Func<Task<bool>> condition, OmsProcess process)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < Harness.StartTimeout, $"condition not met in {Harness.StartTimeout.TotalSeconds} s:\n{process.Output}");
            await Task.Delay(100, Harness.Ct);
        }
    }

    /// <summary>Plain GETs that also report the X-Read-Model-Stale header.</summary>
    sealed class Reader(params string[] urls) : IDisposable
    {
        readonly HttpClient[] _nodes = [.. urls.Select(u => new HttpClient { BaseAddress = new Uri(u), DefaultRequestHeaders = { { "X-Api-Key", OmsClient.ApiKey } } })];

        public async Task<(int Status, JsonNode? Body, bool Stale)> GetAsync(int node, string path)
        {
            using var response = await _nodes[node].GetAsync(path, Harness.Ct);
            var text = await response.Content.ReadAsStringAsync(Harness.Ct);
            return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response.Headers.Contains("X-Read-Model-Stale"));
        }

        public void Dispose()
        {
            foreach (var node in _nodes) node.Dispose();
        }
    }
}
