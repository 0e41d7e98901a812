using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Inventory.SetSafetyStock.SetSafetyStock;

namespace EventSourcedOms.Api.Features.Inventory.SetSafetyStock;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Put("/api/inventory/{sku}/locations/{location}/safety-stock");
        Roles(Access.StockWrite);
        Summary(s => s.Summary = "Set the safety stock of a SKU at a location");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Sku, r.Location, r.Quantity), ct);
}
