using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Orders.CancelOrder.CancelOrder;

namespace EventSourcedOms.Api.Features.Orders.CancelOrder;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/orders/{id}/cancel");
        Roles(Access.OrderWrite);
        Summary(s => s.Summary = "Cancel everything not shipped yet; reserved stock returns and fills backorders");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Id, r.Reason), ct);
}
