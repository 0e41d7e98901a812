using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Orders.ReleaseOrder.ReleaseOrder;

namespace EventSourcedOms.Api.Features.Orders.ReleaseOrder;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/orders/{id}/release");
        Roles(Access.OrderWrite);
        Summary(s => s.Summary = "Release a held order");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Id), ct);
}
