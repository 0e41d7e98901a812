using Dapper;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.Inventory;

public record InventoryLevel
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
    /// <summary>The <see cref="InventoryLevel"/> columns of <c>inventory_levels</c>, named as its properties (the projector's warm start reads them too).</summary>
    internal const string Columns = $"""
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

    /// <summary>
    /// Stock items by SKU (ascending), at one location or everywhere, optionally only those with nothing left to promise
    /// (available to promise 0: what is on hand is reserved or kept as safety stock), or only those whose available to
    /// promise has fallen below their safety stock (the buffer is the reorder point: time to replenish). Keyset-paged on
    /// (sku, location).
    /// </summary>
    public async Task<(IReadOnlyList<InventoryLevel> Items, string? NextCursor)> ListAsync(string? location, bool onlyUnavailable, string? cursor, int limit, CancellationToken ct,
        bool belowSafetyStock = false)
    {
        var where = new List<string>();
        var args = new DynamicParameters();
        if (location is not null) { where.Add("location = @location"); args.Add("location", location); }
        if (onlyUnavailable) where.Add("available = 0");
        if (belowSafetyStock) where.Add("available < safety_stock");
        if (cursor is not null)
        {
            string[] parts;
            try { parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(cursor)).Split('\n'); }
            catch (FormatException e) { throw new ArgumentException("The cursor is not one this API returned.", nameof(cursor), e); }
            if (parts.Length != 2) throw new ArgumentException("The cursor is not one this API returned.", nameof(cursor));
            where.Add("(sku > @cursorSku or (sku = @cursorSku and location > @cursorLocation))");
            args.Add("cursorSku", parts[0]);
            args.Add("cursorLocation", parts[1]);
        }
        args.Add("limit", limit + 1);
        await using var conn = await database.OpenAsync(ct);
        var rows = (await conn.QueryAsync<InventoryLevel>(
            $"select {Columns} from inventory_levels {(where.Count == 0 ? "" : "where " + string.Join(" and ", where))} order by sku, location limit @limit", args)).ToList();
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        return (rows, more ? Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{rows[^1].Sku}\n{rows[^1].Location}")) : null);
    }
}
