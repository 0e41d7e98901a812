using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Orders.ConfirmDelivery.ConfirmDelivery;

namespace EventSourcedOms.Api.Features.Orders.ConfirmDelivery;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/orders/{id}/shipments/{shipmentId}/delivery");
        Roles(Access.Fulfilment);
        Summary(s => s.Summary = "Confirm a shipment was delivered");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Id, r.ShipmentId, r.DeliveredAt), ct);
}
