using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Api.Features.Orders.ShipOrder;

/// <summary>One shipment: its id (your natural key), where it leaves from, carrier, service, tracking number and units per line.</summary>
public sealed record Request(string Id, string ShipmentId, string Location, string Carrier, string Service, string TrackingNumber, IReadOnlyList<LineQuantity> Lines, DateTimeOffset? ShippedAt);
