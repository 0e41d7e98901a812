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
        var pending = batch.Pending<Pending>();
        foreach (var l in order.Lines)
            pending.Rows[(order.OrderId, l.LineNo)] = new LineRow
            {
                OrderId = order.OrderId, LineNo = l.LineNo, Sku = l.Sku, Ordered = l.Ordered, Reserved = l.Reserved, Backordered = l.Backordered,
                Picked = l.Picked, Packed = l.Packed, Shipped = l.Shipped, Delivered = l.Delivered, Cancelled = l.Cancelled,
                UnitPriceE4 = (long)(l.UnitPrice * 10_000m), LastPosition = recorded.Position,
            };
    }

    /// <summary>An <c>order_lines</c> row as the projector writes it: what queries read, plus its key and position.</summary>
    sealed record LineRow : OrderLineRow
    {
        public required string OrderId { get; init; }
        public long LastPosition { get; init; }
    }

    sealed class Pending : IPendingWrites
    {
        static readonly BatchTable<LineRow> Table = new("order_lines", "order_id, line_no");

        public Dictionary<(string, int), LineRow> Rows { get; } = [];

        public Task FlushAsync(ProjectionBatch batch, CancellationToken ct) => Table.UpsertAsync(batch, Rows.Values);
    }
}
