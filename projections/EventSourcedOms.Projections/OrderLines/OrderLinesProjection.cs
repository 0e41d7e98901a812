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
        if (batch.NothingStoredFor(recorded)) pending.New.Add(order.OrderId);
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

        /// <summary>Orders known to have no rows stored (placed in this batch, in a rebuild): their lines are inserted.</summary>
        public HashSet<string> New { get; } = new(StringComparer.Ordinal);

        public async Task FlushAsync(ProjectionBatch batch, CancellationToken ct)
        {
            if (New.Count == 0)
            {
                await Table.UpsertAsync(batch, Rows.Values);
                return;
            }
            var rows = Rows.Values.ToLookup(r => New.Contains(r.OrderId));
            await Table.InsertAsync(batch, [.. rows[true]]);
            await Table.UpsertAsync(batch, [.. rows[false]]);
        }
    }
}
