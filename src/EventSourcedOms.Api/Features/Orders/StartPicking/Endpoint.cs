using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Orders.StartPicking.StartPicking;

namespace EventSourcedOms.Api.Features.Orders.StartPicking;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/orders/{id}/picking");
        Roles(Access.Fulfilment);
        Summary(s => s.Summary = "Start picking (at one location, or every location holding stock for the order)");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Id, r.Location), ct);
}
