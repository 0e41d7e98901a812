using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Orders.CancelOrderLine.CancelOrderLine;

namespace EventSourcedOms.Api.Features.Orders.CancelOrderLine;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/orders/{id}/lines/{lineNo}/cancel");
        Roles(Access.OrderWrite);
        Summary(s => s.Summary = "Cancel part of a line");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Id, r.LineNo, r.Quantity, r.Reason), ct);
}
