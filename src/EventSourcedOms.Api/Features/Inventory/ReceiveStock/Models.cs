namespace EventSourcedOms.Api.Features.Inventory.ReceiveStock;

/// <summary>Units received at a location, with your reference (purchase order, transfer).</summary>
public sealed record Request(string Sku, string Location, int Quantity, string Reference);
