namespace EventSourcedOms.Api.Features.Orders.HoldOrder;

/// <summary>Why the order is held: <c>payment</c>, <c>fraud</c>, <c>address</c>, <c>customer-request</c> or <c>other</c>, and an optional note.</summary>
public sealed record Request(string Id, string Reason, string? Note);
