using Dapper;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.OrderLines;

/// <summary>One order line with every quantity of its lifecycle.</summary>
public record OrderLineRow
{
    public int LineNo { get; init; }
    public required string Sku { get; init; }
    public int Ordered { get; init; }
    public int Reserved { get; init; }
    public int Backordered { get; init; }
    public int Picked { get; init; }
    public int Packed { get; init; }
    public int Shipped { get; init; }
    public int Delivered { get; init; }
    public int Cancelled { get; init; }
    public long UnitPriceE4 { get; init; }
    public decimal UnitPrice => UnitPriceE4 / 10_000m;
}

public sealed class OrderLinesQueries(ProjectionDatabase database)
{
    /// <summary>The order's lines by line number; empty when the order is unknown (or not projected yet).</summary>
    public async Task<IReadOnlyList<OrderLineRow>> ForOrderAsync(string orderId, CancellationToken ct)
    {
        await using var conn = await database.OpenAsync(ct);
        var rows = await conn.QueryAsync<OrderLineRow>(
            $"""
            select line_no as {nameof(OrderLineRow.LineNo)}, sku as {nameof(OrderLineRow.Sku)}, ordered as {nameof(OrderLineRow.Ordered)},
                   reserved as {nameof(OrderLineRow.Reserved)}, backordered as {nameof(OrderLineRow.Backordered)}, picked as {nameof(OrderLineRow.Picked)},
                   packed as {nameof(OrderLineRow.Packed)}, shipped as {nameof(OrderLineRow.Shipped)}, delivered as {nameof(OrderLineRow.Delivered)},
                   cancelled as {nameof(OrderLineRow.Cancelled)}, unit_price_e4 as {nameof(OrderLineRow.UnitPriceE4)}
            from order_lines where order_id = @orderId order by line_no
            """, new { orderId });
        return [.. rows];
    }
}
