using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Api.Features.Orders.ImportChannelOrder;

/// <summary>An order a channel took, with its own <c>placedAt</c> (may be in the past). The same channel +
/// <c>externalReference</c> imported again returns the first order (200, <c>created: false</c>).
/// <c>backorderPolicy</c> defaults to <c>backorder</c>: the channel has already accepted the order.</summary>
public sealed record Request(
    string Channel, string ExternalReference, DateTimeOffset? PlacedAt, string CustomerId, Address ShipTo, string Currency,
    string ServiceLevel, DateTimeOffset? PromisedShipBy, IReadOnlyList<PlacedLine> Lines, string? BackorderPolicy);
