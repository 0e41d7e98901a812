using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Inventory.ReceiveStock.ReceiveStock;

namespace EventSourcedOms.Api.Features.Inventory.ReceiveStock;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/inventory/{sku}/receipts");
        Roles(Access.StockWrite);
        Summary(s => s.Summary = "Receive stock at a location (fills waiting backorders in the same commit)");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Sku, r.Location, r.Quantity, r.Reference), ct);
}
