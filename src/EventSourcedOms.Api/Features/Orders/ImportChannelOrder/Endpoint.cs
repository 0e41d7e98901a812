using EventSourcedOms.Api.Security;
using EventSourcedOms.Domain.Orders;
using Command = EventSourcedOms.Application.Orders.ImportChannelOrder.ImportChannelOrder;

namespace EventSourcedOms.Api.Features.Orders.ImportChannelOrder;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/channels/{channel}/orders");
        Roles(Access.OrderWrite);
        Summary(s => s.Summary = "Import a channel order (deduplicated by channel + external reference, backdated placedAt)");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(
        // A missing placedAt fails validation (the default instant is outside the allowed range).
        new Command(r.Channel, r.ExternalReference, r.PlacedAt ?? default, r.CustomerId, r.ShipTo, r.Currency, r.ServiceLevel,
            r.PromisedShipBy, r.Lines, r.BackorderPolicy ?? BackorderPolicies.Backorder),
        ct, result => $"/api/orders/{result.Id}");
}
