using EventSourcedOms.Api.Security;
using EventSourcedOms.Projections.Inventory;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Api.Features.Inventory.GetSku;

public sealed record Request : ReadRequest
{
    public string Sku { get; init; } = "";
}

public sealed class Endpoint(InventoryQueries inventory) : ReadModelEndpoint<Request, SkuInventory>
{
    public override void Configure()
    {
        Get("/api/inventory/{sku}");
        Roles(Access.ReadModels);
        Summary(s => s.Summary = "One SKU across the network: per location, network totals and backordered demand");
    }

    protected override IEnumerable<IProjection> Reads => [ReadModelsOf.Inventory];

    // An unknown SKU is simply one with no stock anywhere: 200 with zeros, so a storefront can ask about any SKU.
    protected override async Task QueryAsync(Request r, CancellationToken ct) => await Send.OkAsync(await inventory.BySkuAsync(r.Sku, ct), ct);
}
