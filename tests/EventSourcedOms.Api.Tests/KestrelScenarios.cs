using EventSourcedOms.Api.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EventSourcedOms.Api.Tests;

public abstract partial class ApiScenarios
{
    [Fact]
    public async Task a_full_order_over_real_http_on_a_random_port()
    {
        await using var api = NewApi(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" });
        api.UseKestrel();
        api.StartServer();
        var address = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        http.DefaultRequestHeaders.Add("X-Api-Key", "key-admin");

        var placed = await http.PostJsonAsync("/api/orders", Order("o-http", quantity: 1));
        Assert.Equal(201, placed.Status);
        foreach (var (url, body) in new (string, object?)[]
        {
            ("/api/orders/o-http/picking", null),
            ("/api/orders/o-http/picks", new { location = "wh-east", lines = new[] { new { lineNo = 1, quantity = 1 } } }),
            ("/api/orders/o-http/packages", new { location = "wh-east", packages = new[] { new { packageId = "p1", weightGrams = 300, lines = new[] { new { lineNo = 1, quantity = 1 } } } } }),
            ("/api/orders/o-http/shipments", new { shipmentId = "s1", location = "wh-east", carrier = "UPS", service = "ground", trackingNumber = "1Z", lines = new[] { new { lineNo = 1, quantity = 1 } } }),
            ("/api/orders/o-http/shipments/s1/delivery", null),
        })
        {
            var r = await http.PostJsonAsync(url, body);
            Assert.True(r.Status == 200, $"{url}: {r.Status} {r.Body}");
        }
        var history = await http.GetJsonAsync("/api/orders/o-http/history");
        Assert.Equal(
            ["OrderPlaced.v1", "OrderStockAllocated.v1", "PickingStarted.v1", "OrderItemsPicked.v1", "OrderPacked.v1", "OrderShipped.v1", "ShipmentDelivered.v1"],
            history.Body!["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()));
    }
}
