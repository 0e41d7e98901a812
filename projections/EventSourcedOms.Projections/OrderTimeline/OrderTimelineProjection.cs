using System.Globalization;
using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections.Runner;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Projections.OrderTimeline;

/// <summary><c>order_timeline</c>: one row per order event — what happened, when (business and record time), who, and the correlation id.</summary>
public sealed class OrderTimelineProjection : IProjection
{
    public string Name => "order_timeline";
    public string Folder => "OrderTimeline";
    public EventFilter Filter { get; } = EventFilter.StreamPrefix(Streams.OrderPrefix);
    public IReadOnlyList<(string Table, string Key)> Tables { get; } = [("order_timeline", "order_id, revision")];

    /// <summary>An entry per event (its stream and revision), never rewritten.</summary>
    public IReadOnlyCollection<string> InsertOnlyTables { get; } = ["order_timeline"];

    public Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct)
    {
        batch.Pending<Pending>().Rows.Add(new TimelineRow
        {
            OrderId = recorded.Stream[Streams.OrderPrefix.Length..],
            Revision = recorded.Revision,
            Position = recorded.Position,
            EventType = recorded.Type,
            Summary = Describe(@event),
            OccurredAt = recorded.Metadata.OccurredAt ?? recorded.RecordedAt,
            RecordedAt = recorded.RecordedAt,
            Actor = recorded.Metadata.Actor,
            CorrelationId = recorded.Metadata.CorrelationId,
        });
        return Task.CompletedTask;
    }

    sealed record TimelineRow : TimelineEntry
    {
        public required string OrderId { get; init; }
    }

    /// <summary>Entries are never rewritten: an entry that exists stays as it is (a replay inserts nothing).</summary>
    sealed class Pending : IPendingWrites
    {
        static readonly BatchTable<TimelineRow> Table = new("order_timeline", "order_id, revision");

        public List<TimelineRow> Rows { get; } = [];

        public Task FlushAsync(ProjectionBatch batch, CancellationToken ct) => Table.UpsertAsync(batch, Rows);
    }

    static string Units(int n) => n == 1 ? "1 unit" : string.Create(CultureInfo.InvariantCulture, $"{n} units");

    /// <summary>The sentence a support agent reads.</summary>
    public static string Describe(object @event) => @event switch
    {
        OrderPlaced e => string.Create(CultureInfo.InvariantCulture,
            $"Order placed via {e.Channel}{(e.ExternalReference is null ? "" : $" ({e.ExternalReference})")}: {e.Lines.Count} line(s), {Units(e.Lines.Sum(l => l.Quantity))}, {e.Currency} {e.Lines.Sum(l => l.Quantity * l.UnitPrice):0.00}"),
        OrderStockAllocated e => $"{(e.FromBackorder ? "Backorder filled" : "Reserved")}: " +
            string.Join(", ", e.Allocations.Select(a => $"{Units(a.Quantity)} of {a.Sku} at {a.Location}")),
        OrderLinesBackordered e => "Backordered: " + string.Join(", ", e.Lines.Select(l => $"{Units(l.Quantity)} of line {l.LineNo}")),
        OrderHeld e => $"Put on hold ({e.Reason}){(e.Note is null ? "" : ": " + e.Note)}",
        OrderReleased => "Hold released",
        OrderQuantitiesCancelled e => (e.WholeOrder ? "Order cancelled" : "Cancelled " + string.Join(", ", e.Lines.Select(l => $"{Units(l.Quantity)} of line {l.LineNo}"))) + $": {e.Reason}",
        PickingStarted e => $"Picking started at {e.Location}",
        OrderItemsPicked e => $"Picked {Units(e.Lines.Sum(l => l.Quantity))} at {e.Location}",
        OrderPacked e => string.Create(CultureInfo.InvariantCulture,
            $"Packed {e.Packages.Count} package(s), {e.Packages.Sum(p => p.WeightGrams) / 1000m:0.###} kg, at {e.Location}"),
        OrderShipped e => $"Shipped {Units(e.Lines.Sum(l => l.Quantity))} from {e.Location} by {e.Carrier} {e.Service}, tracking {e.TrackingNumber} (shipment {e.ShipmentId})",
        ShipmentDelivered e => $"Shipment {e.ShipmentId} delivered",
        _ => @event.GetType().Name,
    };
}
