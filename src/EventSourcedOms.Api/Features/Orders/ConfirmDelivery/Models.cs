namespace EventSourcedOms.Api.Features.Orders.ConfirmDelivery;

/// <summary>When the carrier delivered (now when left out).</summary>
public sealed record Request(string Id, string ShipmentId, DateTimeOffset? DeliveredAt);
