using System.Diagnostics;
using EventSourcedOms.EventStore.Tests.Support;
using EventSourcedOms.Faults.Tests.Support;

namespace EventSourcedOms.Faults.Tests;

/// <summary>
/// Issue 6, fault test 1: the API as a process of its own under order traffic, killed with SIGKILL at random moments
/// and restarted each time; the client retries what got no answer with the same Idempotency-Key. Afterwards every
/// acknowledged answer is still given, every acknowledged command's events exist exactly once, nothing is
/// half-applied, and the read models verify against the log with zero differences.
/// </summary>
public abstract class KillUnderLoad
{
    /// <summary>Kills per run: 5 in CI, <c>OMS_FAULTS_KILLS=20</c> for the long variant.</summary>
    public static int Kills => Harness.Setting("OMS_FAULTS_KILLS", 5);

    protected abstract StoreUnderTest Store();

    [Fact]
    public async Task acknowledged_commands_survive_the_api_being_killed_under_load_exactly_once()
    {
        var clock = Stopwatch.StartNew();
        await using var storage = Store();
        var port = OmsProcess.FreePort();
        var url = $"http://127.0.0.1:{port}";
        await using var api = OmsProcess.Api("api", port, storage.ApiSettings("api"));
        using var client = new OmsClient(url);
        var traffic = new OrderTraffic(client, "k" + Guid.NewGuid().ToString("N")[..6]);
        var random = new Random();

        api.Start();
        await api.WaitUntilAnswersAsync(url + "/health/live", Harness.StartTimeout);
        await traffic.SeedAsync(Harness.Ct);
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(Harness.Ct))
        {
            var load = traffic.RunAsync(workers: 6, stop.Token);
            try
            {
                for (var kill = 1; kill <= Kills; kill++)
                {
                    // Under load: some answers since the last start, then a random moment.
                    await Harness.UntilAsync(client.Acknowledged.Count + 10, () => client.Acknowledged.Count, api);
                    await Task.Delay(random.Next(0, 800), Harness.Ct);
                    await api.KillAsync();
                    await Task.Delay(random.Next(0, 300), Harness.Ct);
                    api.Start();
                    await api.WaitUntilAnswersAsync(url + "/health/live", Harness.StartTimeout);
                }
                await Harness.UntilAsync(client.Acknowledged.Count + 10, () => client.Acknowledged.Count, api);
            }
            finally
            {
                await stop.CancelAsync();
                await load;
            }
        }
        Assert.Equal(Kills + 1, api.Starts);
        await client.AssertAcknowledgedAnswersAreKeptAsync(Harness.Ct);
        Harness.AssertNoServerErrors(client);
        await api.KillAsync();

        await using var store = await storage.OpenStoreAsync();
        var ledger = await StoreChecks.AssertAcknowledgedExactlyOnceAsync(store, client.Acknowledged, traffic.Run);
        await StoreChecks.AssertProjectionsVerifyAsync(store, storage.OpenReadModels());
        Harness.Report($"{GetType().Name}: {Kills} kills, {traffic.Flows} flows, {client.Acknowledged.Count} answers " +
                      $"({client.Acknowledged.Count(a => a.Accepted)} accepted), {client.Failures.Count} failed tries, {ledger.Orders.Count} orders, " +
                      $"{ledger.Events.Count} events, {clock.Elapsed.TotalSeconds:F1} s");
    }
}

public sealed class KillUnderLoadOnPostgres(PostgresServer server) : KillUnderLoad
{
    protected override StoreUnderTest Store() => new PostgresUnderTest(server.Require(), "kill");
}

public sealed class KillUnderLoadOnSqlite : KillUnderLoad
{
    protected override StoreUnderTest Store() => new SqliteUnderTest();
}
