using EventSourcedOms.Api.Security;
using EventSourcedOms.Projections.FulfilmentQueue;
using EventSourcedOms.Projections.Runner;
using FastEndpoints;
using FluentValidation;

namespace EventSourcedOms.Api.Features.Dashboards.Fulfillment;

public sealed record Request : ReadRequest
{
    public string? Location { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public Validator() => RuleFor(r => r.Location).MaximumLength(64);
}

/// <summary>Per location: orders and units waiting to be picked, packed and shipped, the oldest wait, ship-by breaches
/// and orders at risk (due within <c>atRiskWindowHours</c>).</summary>
public sealed record Response(DateTimeOffset AsOf, double AtRiskWindowHours, IReadOnlyList<LocationQueue> Locations);

public sealed class Endpoint(FulfilmentQueueQueries queue, TimeProvider time) : ReadModelEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/api/dashboards/fulfillment");
        Roles(Access.ReadModels);
        Summary(s => s.Summary = "Fulfilment queue by location with age and SLA breaches");
    }

    protected override IEnumerable<IProjection> Reads => [ReadModelsOf.FulfilmentQueue];

    protected override async Task QueryAsync(Request r, CancellationToken ct) => await Send.OkAsync(
        new Response(time.GetUtcNow(), FulfilmentQueueQueries.AtRiskWindow.TotalHours, await queue.ByLocationAsync(r.Location, ct)), ct);
}
