namespace EventSourcedOms.Api.Features.Orders.ReleaseOrder;

/// <summary>No body needed.</summary>
public sealed record Request(string Id);
