namespace EventSourcedOms.Api.Features.Inventory.AdjustStock;

/// <summary>A signed change of on-hand units and why: <c>cycle-count</c>, <c>damage</c>, <c>loss</c>, <c>found</c>, <c>return</c>, <c>correction</c>.</summary>
public sealed record Request(string Sku, string Location, int Delta, string Reason, string? Note);
