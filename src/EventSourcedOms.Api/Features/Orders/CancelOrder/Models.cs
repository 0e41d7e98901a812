namespace EventSourcedOms.Api.Features.Orders.CancelOrder;

/// <summary>Why the order is cancelled.</summary>
public sealed record Request(string Id, string Reason);
