using EventSourcedOms.Api.Security;
using Command = EventSourcedOms.Application.Locations.DefineLocation.DefineLocation;

namespace EventSourcedOms.Api.Features.Locations.DefineLocation;

public sealed class Endpoint : CommandEndpoint<Request>
{
    public override void Configure()
    {
        Post("/api/locations");
        Roles(Access.LocationWrite);
        Summary(s => s.Summary = "Define (or redefine) a warehouse or store");
    }

    public override Task HandleAsync(Request r, CancellationToken ct) =>
        SendCommandAsync(new Command(r.LocationId, r.Name, r.Kind, r.Priority, r.Ships), ct);
}
