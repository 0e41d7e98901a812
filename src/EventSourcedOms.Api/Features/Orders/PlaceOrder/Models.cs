using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Api.Features.Orders.PlaceOrder;

/// <summary>A new order. <c>orderId</c> is optional (one is generated); <c>backorderPolicy</c> is <c>reject</c> (default:
/// nothing is written when stock is short; 409 lists the short lines) or <c>backorder</c>.</summary>
public sealed record Request(
    string? OrderId, string Channel, string? ExternalReference, string CustomerId, Address ShipTo, string Currency,
    string ServiceLevel, DateTimeOffset? PromisedShipBy, IReadOnlyList<PlacedLine> Lines, string? BackorderPolicy);
