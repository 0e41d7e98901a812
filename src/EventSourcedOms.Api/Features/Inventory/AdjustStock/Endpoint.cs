using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Inventory.AdjustStock.AdjustStock;

namespace EventSourcedOms.Api.Features.Inventory.AdjustStock;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/inventory/{sku}/adjustments");
        Roles(Access.StockWrite);
        Summary(s => s.Summary = "Adjust on-hand stock (cycle count, damage, loss, found, return, correction)");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Sku, r.Location, r.Delta, r.Reason, r.Note), ct);
}
