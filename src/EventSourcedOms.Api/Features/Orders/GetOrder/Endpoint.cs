using EventSourcedOms.Api.Security;
using EventSourcedOms.Projections.OrderSummary;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Api.Features.Orders.GetOrder;

public sealed record Request : ReadRequest
{
    public string Id { get; init; } = "";
}

public sealed class Endpoint(OrderSummaryQueries orders) : ReadModelEndpoint<Request, OrderSummaryRow>
{
    public override void Configure()
    {
        Get("/api/orders/{id}");
        Roles(Access.ReadModels);
        Summary(s => s.Summary = "One order's summary: status, customer, locations, totals, milestones, hold, tracking");
    }

    protected override IEnumerable<IProjection> Reads => [ReadModelsOf.OrderSummary];

    protected override async Task QueryAsync(Request r, CancellationToken ct)
    {
        if (await orders.GetAsync(r.Id, ct) is { } order) await Send.OkAsync(order, ct);
        else await NotFound.OrderAsync(HttpContext, r.Id);
    }
}
