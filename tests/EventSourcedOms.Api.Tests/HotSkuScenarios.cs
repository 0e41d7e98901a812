using EventSourcedOms.Api.Tests.Support;
using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Api.Tests;

public abstract partial class ApiScenarios
{
    [Fact]
    public async Task two_hundred_clients_racing_for_fifty_units_over_http_never_oversell()
    {
        await using var api = NewApi();
        var admin = api.As("admin");
        var clients = Enumerable.Range(0, 8).Select(_ => api.As("clerk")).ToArray();
        for (var round = 0; round < 20; round++)
        {
            var sku = $"HOT-{round}";
            Assert.Equal(200, (await admin.PostJsonAsync($"/api/inventory/{sku}/receipts", new { location = "wh-east", quantity = 50, reference = "po" })).Status);
            using var start = new SemaphoreSlim(0);
            var racers = Enumerable.Range(0, 200).Select(async i =>
            {
                await start.WaitAsync(TestContext.Current.CancellationToken);
                return await clients[i % clients.Length].PostJsonAsync("/api/orders", Order($"hot-{round}-{i}", sku: sku, quantity: 1));
            }).ToList();
            start.Release(200);
            var results = await Task.WhenAll(racers);

            Assert.All(results, r => Assert.True(r.Status is 201 or 409, $"{r.Status} {r.Body}"));
            Assert.Equal(50, results.Count(r => r.Status == 201));
            Assert.All(results.Where(r => r.Status == 409), r => Assert.Equal("insufficient-stock", r.Body!["code"]!.GetValue<string>()));

            // The stock stream holds exactly the 50 reservations, and the read model says the same.
            var reserved = (await api.Store.ReadStreamAsync(Streams.Stock(sku, "wh-east"), 0, Direction.Forwards, 1000, TestContext.Current.CancellationToken))
                .Count(e => e.Type == "StockReserved.v1");
            Assert.Equal(50, reserved);
            var last = results.Where(r => r.Status == 201).Max(r => r.Body!["position"]!.GetValue<long>());
            var inventory = await admin.GetJsonAsync($"/api/inventory/{sku}?minPosition={last}");
            Assert.Equal((50, 50, 0), (inventory.Body!["onHand"]!.GetValue<int>(), inventory.Body["reserved"]!.GetValue<int>(), inventory.Body["available"]!.GetValue<int>()));
        }
    }
}
