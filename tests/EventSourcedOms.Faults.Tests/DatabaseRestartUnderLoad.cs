using System.Diagnostics;
using System.Text.Json;
using EventSourcedOms.Faults.Tests.Support;

namespace EventSourcedOms.Faults.Tests;

/// <summary>
/// Issue 6, fault test 2: PostgreSQL restarted (<c>pg_ctl stop -m fast</c>, then start on the same data folder and
/// port) while the API, a process of its own, serves order traffic. While the server is down every answer is a 503
/// problem document with Retry-After (store-unavailable or read-models-unavailable), never a 500; within 5 s of the
/// server accepting connections again commands and queries succeed again, for everyone; nothing acknowledged is lost.
/// The test owns its cluster (the shared one other tests use is never restarted).
/// </summary>
public sealed class DatabaseRestartUnderLoad
{
    /// <summary>Restarts per run: 2 in CI, more with <c>OMS_FAULTS_DB_RESTARTS</c>.</summary>
    static int Restarts => Harness.Setting("OMS_FAULTS_DB_RESTARTS", 2);

    static readonly TimeSpan Down = TimeSpan.FromSeconds(2), RecoveryLimit = TimeSpan.FromSeconds(5);
    static readonly string[] UnavailableCodes = ["store-unavailable", "read-models-unavailable"];

    [Fact]
    public async Task while_postgres_restarts_the_api_answers_503_with_retry_after_and_recovers_within_five_seconds_losing_nothing()
    {
        var clock = Stopwatch.StartNew();
        await using var postgres = await DedicatedPostgres.StartAsync();
        await using var storage = new PostgresUnderTest(postgres.ConnectionString, "restart");
        var port = OmsProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        await using var api = OmsProcess.Api("api", port, storage.ApiSettings("api"));
        using var client = new OmsClient(url);
        var run = "r" + Guid.NewGuid().ToString("N")[..6];
        var traffic = new OrderTraffic(client, run);
        var probes = 0;

        api.Start();
        await api.WaitUntilAnswersAsync(url + "/health/live", Harness.StartTimeout);
        await traffic.SeedAsync(Harness.Ct);
        var outages = new List<(TimeSpan Down, TimeSpan Up, TimeSpan Recovered)>();
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Harness.Ct))
        {
            var load = traffic.RunAsync(workers: 3, stop.Token);
            try
            {
                for (var restart = 1; restart <= Restarts; restart++)
                {
                    await Harness.UntilAsync(client.Acknowledged.Count + 10, () => client.Acknowledged.Count, api);
                    await postgres.StopServerAsync();
                    var down = client.Now;
                    // A command and queries of each kind while it is down, besides whatever the load sends.
                    await ExpectUnavailableAsync(client, $"{run}-o-probe{Interlocked.Increment(ref probes)}");
                    await Task.Delay(Down, Harness.Ct);
                    await ExpectUnavailableAsync(client, $"{run}-o-probe{Interlocked.Increment(ref probes)}");
                    // The server accepts connections somewhere between asking for the start and pg_ctl returning: the
                    // outage is counted until the start was asked for, and recovery from then on (the stricter way both).
                    var up = client.Now;
                    await postgres.StartServerAsync();
                    while (!await SucceedsAsync(client, $"{run}-o-probe{Interlocked.Increment(ref probes)}"))
                    {
                        Assert.True(client.Now - up < TimeSpan.FromSeconds(30),
                            $"no recovery 30 s after PostgreSQL returned (down {down}, up {up}): last probe {_lastProbe}\n" +
                            $"{(await client.TryOnceAsync(0, Kind.Place, HttpMethod.Get, "/health/ready", null, null, null, Harness.Ct)).Answer?.Text}\n" +
                            $"{Failures(client, up, client.Now)}\n{postgres.LogTail()}");
                        await Task.Delay(50, Harness.Ct);
                    }
                    outages.Add((down, up, client.Now));
                }
                // Long enough after the last recovery to see that every client gets through again.
                await Task.Delay(RecoveryLimit + TimeSpan.FromSeconds(1), Harness.Ct);
                await Harness.UntilAsync(client.Acknowledged.Count + 10, () => client.Acknowledged.Count, api);
            }
            finally
            {
                await stop.CancelAsync();
                await load;
            }
        }

        foreach (var (down, up, recovered) in outages)
        {
            Assert.True(recovered - up <= RecoveryLimit,
                $"recovered {(recovered - up).TotalSeconds:F1} s after PostgreSQL returned ({up}); failures meanwhile:\n{Failures(client, up, recovered)}\n{string.Join('\n', ProbeLog)}");
            // Whatever was sent and answered while the server was down: 503 + Retry-After + an unavailable code.
            var during = client.Failures.Where(f => f.Sent >= down && f.Ended <= up).ToList();
            Assert.NotEmpty(during);
            Assert.All(during, f => Assert.True(f.Status == 503 && f.RetryAfter is not null && UnavailableCodes.Contains(f.Code), f.ToString()));
            var accepted = client.Acknowledged.Where(a => a.Sent >= down && a.Ended <= up).ToList();
            Assert.True(accepted.Count == 0, $"answered while PostgreSQL was down ({down}..{up}): {accepted.FirstOrDefault()?.Path} {accepted.FirstOrDefault()?.Text}\n{postgres.LogTail()}");
        }
        // Recovered for everyone: no failed request sent later than the limit after the server returned.
        var last = outages[^1];
        Assert.DoesNotContain(client.Failures, f => f.Sent > last.Up + RecoveryLimit);
        Harness.AssertNoServerErrors(client);
        await client.AssertAcknowledgedAnswersAreKeptAsync(Harness.Ct);
        await api.KillAsync();

        await using var store = await storage.OpenStoreAsync();
        var ledger = await StoreChecks.AssertAcknowledgedExactlyOnceAsync(store, client.Acknowledged, run);
        await StoreChecks.AssertProjectionsVerifyAsync(store, storage.OpenReadModels());
        Harness.Report($"{nameof(DatabaseRestartUnderLoad)}: {Restarts} restarts, recovered after " +
                       string.Join(", ", outages.Select(o => $"{(o.Recovered - o.Up).TotalSeconds:F2} s")) +
                       $"; {client.Failures.Count(f => f.Status == 503)} answers 503, {traffic.Flows} flows, {client.Acknowledged.Count} answers, " +
                       $"{ledger.Orders.Count} orders, {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Failed tries sent between <paramref name="from"/> and <paramref name="to"/>, grouped, with when they happened.</summary>
    static string Failures(OmsClient client, TimeSpan from, TimeSpan to) =>
        string.Join('\n', client.Failures.Where(f => f.Sent >= from && f.Sent <= to)
            .GroupBy(f => $"{f.Path.Split('?')[0]} {f.Status} {f.Code} {f.Error}")
            .Select(g => $"{g.Count()} × {g.Key} ({g.Min(f => f.Sent - from).TotalSeconds:F1}..{g.Max(f => f.Ended - from).TotalSeconds:F1} s)"));

    static async Task ExpectUnavailableAsync(OmsClient client, string orderId)
    {
        var command = await client.TryOnceAsync(0, Kind.Place, HttpMethod.Post, "/api/orders",
            JsonSerializer.Serialize(OrderTraffic.Order(orderId, "FLT-A", 1), JsonSerializerOptions.Web), orderId, orderId, Harness.Ct);
        var query = await client.TryOnceAsync(0, Kind.Place, HttpMethod.Get, "/api/inventory/FLT-A", null, null, null, Harness.Ct);
        var list = await client.TryOnceAsync(0, Kind.Place, HttpMethod.Get, "/api/orders?limit=5", null, null, null, Harness.Ct);
        foreach (var (answer, failure) in new[] { command, query, list })
            Assert.True(failure is { Status: 503, RetryAfter: not null } && UnavailableCodes.Contains(failure.Code),
                $"while PostgreSQL is down: {(object?)answer ?? failure}");
    }

    static string? _lastProbe;

    static readonly System.Collections.Concurrent.ConcurrentQueue<string> ProbeLog = new();

    /// <summary>Recovered: a command is accepted and a read-model query answers (how fresh the read models are is the
    /// projections' throughput, checked by verify at the end, not their recovery).</summary>
    static async Task<bool> SucceedsAsync(OmsClient client, string orderId)
    {
        var (placed, _) = await client.TryOnceAsync(0, Kind.Place, HttpMethod.Post, "/api/orders",
            JsonSerializer.Serialize(OrderTraffic.Order(orderId, "FLT-A", 1), JsonSerializerOptions.Web), orderId, orderId, Harness.Ct);
        _lastProbe = $"place {placed?.Status} {placed?.Text}";
        ProbeLog.Enqueue($"{client.Now.TotalSeconds:F2} {_lastProbe}");
        if (placed?.Status != 201) return false;
        var (read, _) = await client.TryOnceAsync(0, Kind.Place, HttpMethod.Get, "/api/inventory/FLT-A", null, null, null, Harness.Ct);
        _lastProbe = $"read {read?.Status} {read?.Text}";
        ProbeLog.Enqueue($"{client.Now.TotalSeconds:F2} {_lastProbe}");
        return read?.Status == 200;
    }
}
