using System.Collections.Immutable;
using EventSourcedOms.Api.Security;
using EventSourcedOms.Domain.Orders;
using FastEndpoints;
using FluentValidation;

namespace EventSourcedOms.Api.Features.Orders.GetOrderState;

/// <summary>At most one of <c>asOf</c> (an instant: what the OMS knew then, by commit time) and <c>revision</c>; neither means now.</summary>
public sealed record Request
{
    public string Id { get; init; } = "";
    public DateTimeOffset? AsOf { get; init; }
    public long? Revision { get; init; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Revision).GreaterThanOrEqualTo(0);
        RuleFor(r => r.AsOf).Must((r, asOf) => asOf is null || r.Revision is null).WithMessage("give asOf or revision, not both");
    }
}

/// <summary>The order rebuilt from its events: the same fold the commands decide on.</summary>
public sealed record Response(string OrderId, string Status, long Revision, long Position, DateTimeOffset? LastRecordedAt,
    string Channel, string? ExternalReference, string CustomerId, Address? ShipTo, string Currency, string ServiceLevel,
    DateTimeOffset PlacedAt, DateTimeOffset? PromisedShipBy, string BackorderPolicy, Hold? Hold, IReadOnlyList<OrderLine> Lines,
    IReadOnlyCollection<string> PickingAt, IReadOnlyList<Shipment> Shipments);

public sealed class Endpoint(OrderReader reader) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/api/orders/{id}/state");
        Roles(Access.History);
        Summary(s => s.Summary = "For auditors: the order's state as of an instant (?asOf=) or a revision (?revision=), rebuilt from its events");
    }

    public override async Task HandleAsync(Request r, CancellationToken ct)
    {
        var order = await reader.LoadAsync(r.Id, r.Revision, r.AsOf, ct);
        if (order.Revision < 0)
        {
            await NotFound.OrderAsync(HttpContext, r.Id);
            return;
        }
        var s = order.State;
        await Send.OkAsync(new Response(s.OrderId, s.Status.ToCode(), order.Revision, order.Position, order.RecordedAt, s.Channel, s.ExternalReference,
            s.CustomerId, s.ShipTo, s.Currency, s.ServiceLevel, s.PlacedAt, s.PromisedShipBy, s.BackorderPolicy, s.Hold, s.Lines,
            s.PickingAt.Order(StringComparer.Ordinal).ToImmutableList(), s.Shipments), ct);
    }
}
