using EventSourcedOms.Api.Security;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Projections.OrderSummary;
using EventSourcedOms.Projections.Runner;
using FastEndpoints;
using FluentValidation;

namespace EventSourcedOms.Api.Features.Orders.ListOrders;

/// <summary>Filters (all optional, combined with AND), newest placement first (ship-by breached: most overdue first);
/// <c>cursor</c> is the previous page's <c>nextCursor</c>.</summary>
public sealed record Request : ReadRequest
{
    public string? Status { get; init; }
    public string? Channel { get; init; }
    public string? Location { get; init; }
    public string? Customer { get; init; }
    public string? Sku { get; init; }
    /// <summary>Placed at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Placed before this instant.</summary>
    public DateTimeOffset? To { get; init; }
    public bool? OnHold { get; init; }
    /// <summary>Promised ship-by date passed and nothing shipped yet.</summary>
    public bool? ShipByBreached { get; init; }
    public string? Cursor { get; init; }
    /// <summary>1–200, default 50.</summary>
    public int? Limit { get; init; }
}

public sealed class Validator : Validator<Request>
{
    static readonly string[] Statuses = [.. Enum.GetValues<OrderStatus>().Where(s => s != OrderStatus.None).Select(s => s.ToCode())];

    public Validator()
    {
        RuleFor(r => r.Status).Must(s => s is null || Statuses.Contains(s)).WithMessage($"must be one of: {string.Join(", ", Statuses)}");
        RuleFor(r => r.Limit).InclusiveBetween(1, 200);
        RuleFor(r => r.To).Must((r, to) => to is null || r.From is null || to > r.From).WithMessage("must be after from");
        RuleFor(r => r.Cursor).MaximumLength(500);
        RuleFor(r => r.Channel).MaximumLength(64);
        RuleFor(r => r.Location).MaximumLength(64);
        RuleFor(r => r.Customer).MaximumLength(100);
        RuleFor(r => r.Sku).MaximumLength(64);
    }
}

public sealed class Endpoint(OrderSummaryQueries orders) : ReadModelEndpoint<Request, OrderPage>
{
    public override void Configure()
    {
        Get("/api/orders");
        Roles(Access.ReadModels);
        Summary(s => s.Summary = "List orders with filters (status, channel, location, customer, SKU, placed range, hold, ship-by breached), cursor-paged");
    }

    // The SKU filter reads the order lines too.
    protected override IEnumerable<IProjection> Reads => [ReadModelsOf.OrderSummary, ReadModelsOf.OrderLines];

    protected override async Task QueryAsync(Request r, CancellationToken ct) => await Send.OkAsync(await orders.ListAsync(
        new OrderFilter(r.Status, r.Channel, r.Customer, r.From, r.To, r.OnHold, r.Location, r.Sku, r.ShipByBreached), r.Cursor, r.Limit ?? 50, ct), ct);
}
