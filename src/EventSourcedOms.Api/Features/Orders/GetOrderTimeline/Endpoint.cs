using EventSourcedOms.Api.Security;
using EventSourcedOms.Projections.OrderTimeline;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Api.Features.Orders.GetOrderTimeline;

public sealed record Request : ReadRequest
{
    public string Id { get; init; } = "";
}

public sealed record Response(string OrderId, IReadOnlyList<TimelineEntry> Entries);

public sealed class Endpoint(OrderTimelineQueries timeline) : ReadModelEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/api/orders/{id}/timeline");
        Roles(Access.ReadModels);
        Summary(s => s.Summary = "An order's timeline in plain words: what happened, when, who, correlation id");
    }

    protected override IEnumerable<IProjection> Reads => [ReadModelsOf.OrderTimeline];

    protected override async Task QueryAsync(Request r, CancellationToken ct)
    {
        var entries = await timeline.ForOrderAsync(r.Id, ct);
        if (entries.Count > 0) await Send.OkAsync(new Response(r.Id, entries), ct);
        else await NotFound.OrderAsync(HttpContext, r.Id);
    }
}
