using EventSourcedOms.Api.Security;
using EventSourcedOms.Projections.Kpis;
using EventSourcedOms.Projections.Runner;
using FastEndpoints;
using FluentValidation;

namespace EventSourcedOms.Api.Features.Dashboards.Kpis;

/// <summary>Days in [<c>from</c>, <c>to</c>) by the orders' business placement day (UTC), optionally one channel.</summary>
public sealed record Request : ReadRequest
{
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public string? Channel { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.From).NotNull();
        RuleFor(r => r.To).NotNull();
        RuleFor(r => r.To).Must((r, to) => r.From is null || to is null || (to > r.From && to.Value.DayNumber - r.From.Value.DayNumber <= 400))
            .WithMessage("must be after from, at most 400 days later");
        RuleFor(r => r.Channel).MaximumLength(64);
    }
}

public sealed record Response(DateOnly From, DateOnly To, string? Channel, IReadOnlyList<DailyKpis> Days);

public sealed class Endpoint(KpiQueries kpis) : ReadModelEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/api/dashboards/kpis");
        Roles(Access.Kpis);
        Summary(s => s.Summary = "KPIs by day and channel: orders, units, revenue, cancellation, backorder and fill rates, cycle times, on-time rate");
    }

    protected override IEnumerable<IProjection> Reads => [ReadModelsOf.OrderSummary];

    protected override async Task QueryAsync(Request r, CancellationToken ct) => await Send.OkAsync(
        new Response(r.From!.Value, r.To!.Value, r.Channel, await kpis.ByDayAndChannelAsync(r.From.Value, r.To.Value, r.Channel, ct)), ct);
}
