using Dapper;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.Inventory;

public sealed record InventoryLevel
{
    public required string Sku { get; init; }
    public required string Location { get; init; }
    public int OnHand { get; init; }
    public int Reserved { get; init; }
    public int SafetyStock { get; init; }
    public int Available { get; init; }
    public DateTimeOffset? LastMovementAt { get; init; }
}

/// <summary>One SKU across the network: per location, the totals, and the demand waiting on backorder.</summary>
public sealed record SkuInventory(string Sku, IReadOnlyList<InventoryLevel> Locations, int OnHand, int Reserved, int Available, int BackorderedUnits);

public sealed class InventoryQueries(ProjectionDatabase database)
{
    const string Columns = $"""
        sku as {nameof(InventoryLevel.Sku)}, location as {nameof(InventoryLevel.Location)}, on_hand as {nameof(InventoryLevel.OnHand)},
        reserved as {nameof(InventoryLevel.Reserved)}, safety_stock as {nameof(InventoryLevel.SafetyStock)},
        available as {nameof(InventoryLevel.Available)}, last_movement_at as {nameof(InventoryLevel.LastMovementAt)}
        """;

    public async Task<SkuInventory> BySkuAsync(string sku, CancellationToken ct)
    {
        await using var conn = await database.OpenAsync(ct);
        var levels = (await conn.QueryAsync<InventoryLevel>($"select {Columns} from inventory_levels where sku = @sku order by location", new { sku })).ToList();
        var backordered = await conn.ExecuteScalarAsync<int?>("select backordered_units from inventory_backorders where sku = @sku", new { sku }) ?? 0;
        return new SkuInventory(sku, levels, levels.Sum(l => l.OnHand), levels.Sum(l => l.Reserved), levels.Sum(l => l.Available), backordered);
    }

    /// <summary>Stock items with nothing left to promise, at one location or everywhere.</summary>
    public async Task<IReadOnlyList<InventoryLevel>> NothingAvailableAsync(string? location, CancellationToken ct)
    {
        await using var conn = await database.OpenAsync(ct);
        var where = location is null ? "" : " and location = @location";
        return [.. await conn.QueryAsync<InventoryLevel>($"select {Columns} from inventory_levels where available = 0{where} order by location, sku", new { location })];
    }
}
