using EventSourcedOms.Api.Security;
using EventSourcedOms.Projections.OrderSummary;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Api.Features.Dashboards.Status;

public sealed record Request : ReadRequest;

public sealed record Response(long Total, long OnHold, IReadOnlyList<StatusCount> Statuses);

public sealed class Endpoint(OrderSummaryQueries orders) : ReadModelEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/api/dashboards/status");
        Roles(Access.ReadModels);
        Summary(s => s.Summary = "Orders per status (and how many of them are on hold)");
    }

    protected override IEnumerable<IProjection> Reads => [ReadModelsOf.OrderSummary];

    protected override async Task QueryAsync(Request r, CancellationToken ct)
    {
        var counts = await orders.StatusCountsAsync(ct);
        await Send.OkAsync(new Response(counts.Sum(c => c.Orders), counts.Sum(c => c.OnHold), counts), ct);
    }
}
