using System.Globalization;
using Dapper;
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

    public Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct) =>
        batch.Connection.ExecuteAsync(
            """
            insert into order_timeline (order_id, revision, position, event_type, summary, occurred_at, recorded_at, actor, correlation_id)
            values (@OrderId, @Revision, @Position, @Type, @Summary, @OccurredAt, @RecordedAt, @Actor, @CorrelationId)
            on conflict (order_id, revision) do nothing
            """,
            new
            {
                OrderId = recorded.Stream[Streams.OrderPrefix.Length..],
                recorded.Revision,
                recorded.Position,
                recorded.Type,
                Summary = Describe(@event),
                OccurredAt = recorded.Metadata.OccurredAt ?? recorded.RecordedAt,
                recorded.RecordedAt,
                recorded.Metadata.Actor,
                recorded.Metadata.CorrelationId,
            },
            batch.Transaction);

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
