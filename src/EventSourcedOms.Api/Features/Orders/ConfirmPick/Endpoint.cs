using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Orders.ConfirmPick.ConfirmPick;

namespace EventSourcedOms.Api.Features.Orders.ConfirmPick;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/orders/{id}/picks");
        Roles(Access.Fulfilment);
        Summary(s => s.Summary = "Confirm picked units at a location");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) => SendCommandAsync(new Command(r.Id, r.Location, r.Lines), ct);
}
