namespace EventSourcedOms.Api.Features.Inventory.SetSafetyStock;

/// <summary>Units kept back from promising at this location.</summary>
public sealed record Request(string Sku, string Location, int Quantity);
