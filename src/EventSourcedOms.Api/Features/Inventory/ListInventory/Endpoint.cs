using EventSourcedOms.Api.Security;
using EventSourcedOms.Projections.Inventory;
using EventSourcedOms.Projections.Runner;
using FastEndpoints;
using FluentValidation;

namespace EventSourcedOms.Api.Features.Inventory.ListInventory;

/// <summary>Stock items by SKU: at one <c>location</c> or everywhere; <c>unavailable</c>: nothing left to promise;
/// <c>belowSafetyStock</c>: available to promise under the safety stock (time to replenish).</summary>
public sealed record Request : ReadRequest
{
    public string? Location { get; init; }
    public bool? Unavailable { get; init; }
    public bool? BelowSafetyStock { get; init; }
    public string? Cursor { get; init; }
    /// <summary>1–500, default 100.</summary>
    public int? Limit { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Limit).InclusiveBetween(1, 500);
        RuleFor(r => r.Location).MaximumLength(64);
        RuleFor(r => r.Cursor).MaximumLength(500);
    }
}

public sealed record Response(IReadOnlyList<InventoryLevel> Items, string? NextCursor);

public sealed class Endpoint(InventoryQueries inventory) : ReadModelEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/api/inventory");
        Roles(Access.ReadModels);
        Summary(s => s.Summary = "Stock per SKU and location: on hand, reserved, safety stock, available to promise; filters by location, unavailable, below safety stock");
    }

    protected override IEnumerable<IProjection> Reads => [ReadModelsOf.Inventory];

    protected override async Task QueryAsync(Request r, CancellationToken ct)
    {
        var (items, next) = await inventory.ListAsync(r.Location, r.Unavailable == true, r.Cursor, r.Limit ?? 100, ct, belowSafetyStock: r.BelowSafetyStock == true);
        await Send.OkAsync(new Response(items, next), ct);
    }
}
