using EventSourcedOms.Application;
using EventSourcedOms.Application.Inventory.ReceiveStock;
using EventSourcedOms.Application.Locations.DefineLocation;
using Mediator;

namespace EventSourcedOms.Api.Hosting;

/// <summary>
/// <c>--demo</c>: a warehouse and a store, five SKUs and their stock, so a newcomer can place an order at once. Every
/// command has a fixed request id, so starting with <c>--demo</c> again changes nothing.
/// </summary>
static class DemoData
{
    public static readonly (string Sku, int Warehouse, int Store)[] Catalogue =
    [
        ("TSHIRT-BLK-M", 100, 10),
        ("MUG-WHITE", 50, 5),
        ("HOODIE-GRY-L", 20, 0),
        ("SOCKS-3PK", 200, 20),
        ("CAP-NAVY", 0, 0),
    ];

    public static async Task SeedAsync(IServiceProvider services, CancellationToken ct)
    {
        var mediator = services.GetRequiredService<IMediator>();
        var logger = services.GetRequiredService<ILogger<OmsStartup>>();
        await Send(new DefineLocation("wh-east", "East warehouse", "warehouse", 10, Ships: true), "demo-location-wh-east");
        await Send(new DefineLocation("store-downtown", "Downtown store", "store", 20, Ships: true), "demo-location-store-downtown");
        foreach (var (sku, warehouse, store) in Catalogue)
        {
            if (warehouse > 0) await Send(new ReceiveStock(sku, "wh-east", warehouse, "demo-seed"), $"demo-receipt-{sku}-wh-east");
            if (store > 0) await Send(new ReceiveStock(sku, "store-downtown", store, "demo-seed"), $"demo-receipt-{sku}-store-downtown");
        }
        logger.LogInformation("Demo data: locations wh-east, store-downtown; SKUs {Skus}", string.Join(", ", Catalogue.Select(c => c.Sku)));

        async Task Send(OmsCommand command, string requestId)
        {
            try
            {
                await mediator.Send(command with { RequestId = requestId, Actor = "demo-seed", CorrelationId = "demo-seed" }, ct);
            }
            catch (IdempotencyKeyReusedException)
            {
                // Seeded before by a version with other demo data: what is there stays.
                logger.LogInformation("Demo data {RequestId} was seeded differently before; left as it is", requestId);
            }
        }
    }
}
