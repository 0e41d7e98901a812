using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Orders.ShipOrder.ShipOrder;

namespace EventSourcedOms.Api.Features.Orders.ShipOrder;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/orders/{id}/shipments");
        Roles(Access.Fulfilment);
        Summary(s => s.Summary = "Ship packed units (partial shipments allowed; the shipment id makes it idempotent)");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Id, r.ShipmentId, r.Location, r.Carrier, r.Service, r.TrackingNumber, r.Lines, r.ShippedAt), ct);
}
