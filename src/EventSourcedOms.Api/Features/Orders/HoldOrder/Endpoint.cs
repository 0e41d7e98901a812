using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Orders.HoldOrder.HoldOrder;

namespace EventSourcedOms.Api.Features.Orders.HoldOrder;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/orders/{id}/hold");
        Roles(Access.OrderWrite);
        Summary(s => s.Summary = "Put an order on hold (payment, fraud, address, customer-request, other)");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Id, r.Reason, r.Note), ct);
}
