using Dapper;
using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.OrderLines;

/// <summary><c>order_lines</c>: every quantity of every line, from the order's folded state after each of its events.</summary>
public sealed class OrderLinesProjection : IProjection
{
    public string Name => "order_lines";
    public string Folder => "OrderLines";
    public EventFilter Filter { get; } = EventFilter.StreamPrefix(Streams.OrderPrefix);
    public IReadOnlyList<(string Table, string Key)> Tables { get; } = [("order_lines", "order_id, line_no")];

    public async Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct)
    {
        var order = await batch.States.OrderAsync(recorded, @event, ct);
        await batch.Connection.ExecuteAsync(
            """
            insert into order_lines (order_id, line_no, sku, ordered, reserved, backordered, picked, packed, shipped, delivered, cancelled, unit_price_e4, last_position)
            values (@OrderId, @LineNo, @Sku, @Ordered, @Reserved, @Backordered, @Picked, @Packed, @Shipped, @Delivered, @Cancelled, @UnitPriceE4, @Position)
            on conflict (order_id, line_no) do update set
              reserved = excluded.reserved, backordered = excluded.backordered, picked = excluded.picked, packed = excluded.packed,
              shipped = excluded.shipped, delivered = excluded.delivered, cancelled = excluded.cancelled, last_position = excluded.last_position
            where order_lines.last_position < excluded.last_position
            """,
            order.Lines.Select(l => new
            {
                order.OrderId, l.LineNo, l.Sku, l.Ordered, l.Reserved, l.Backordered, l.Picked, l.Packed, l.Shipped, l.Delivered, l.Cancelled,
                UnitPriceE4 = (long)(l.UnitPrice * 10_000m),
                recorded.Position,
            }),
            batch.Transaction);
    }
}
