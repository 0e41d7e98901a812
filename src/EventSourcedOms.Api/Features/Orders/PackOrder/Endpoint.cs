using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Orders.PackOrder.PackOrder;

namespace EventSourcedOms.Api.Features.Orders.PackOrder;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/orders/{id}/packages");
        Roles(Access.Fulfilment);
        Summary(s => s.Summary = "Pack picked units into packages");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Id, r.Location, r.Packages), ct);
}
