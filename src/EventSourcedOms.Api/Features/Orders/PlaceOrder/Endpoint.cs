using EventSourcedOms.Api.Security;
using EventSourcedOms.Domain.Orders;
using Command = EventSourcedOms.Application.Orders.PlaceOrder.PlaceOrder;

namespace EventSourcedOms.Api.Features.Orders.PlaceOrder;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/orders");
        Roles(Access.OrderWrite);
        Summary(s => s.Summary = "Place an order: stock is reserved in the same commit (routing picks the locations)");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(
        new Command(r.Channel, r.ExternalReference, r.CustomerId, r.ShipTo, r.Currency, r.ServiceLevel, r.PromisedShipBy, r.Lines,
            r.BackorderPolicy ?? BackorderPolicies.Reject, r.OrderId),
        ct, result => $"/api/orders/{result.Id}");
}
