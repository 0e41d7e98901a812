using Dapper;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.OrderSummary;

/// <summary>
/// <c>order_summary</c>: one row per order, rewritten from the order's folded state after each of its events (so the
/// row follows the domain's own status rules). Milestone times are business times (the event's <c>occurredAt</c>) and
/// are kept once set: reserved (fully reserved), shipped (first shipment), delivered (all delivered), cancelled.
/// It also keeps the placement facts the KPIs need: units ordered, units reserved at placement, backordered at placement.
/// </summary>
public sealed class OrderSummaryProjection : IProjection
{
    public string Name => "order_summary";
    public string Folder => "OrderSummary";
    public EventFilter Filter { get; } = EventFilter.StreamPrefix(Streams.OrderPrefix);
    public IReadOnlyList<(string Table, string Key)> Tables { get; } = [("order_summary", "order_id"), ("order_locations", "location, order_id")];

    public async Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct)
    {
        var order = await batch.States.OrderAsync(recorded, @event, ct);
        var at = recorded.Metadata.OccurredAt ?? recorded.RecordedAt;
        var locations = order.Lines.SelectMany(l => l.Allocations).Where(a => a.Allocated > 0).Select(a => a.Location).Distinct().Order(StringComparer.Ordinal).ToList();
        if (@event is OrderEvents.OrderStockAllocated or OrderEvents.OrderQuantitiesCancelled)
        {
            await batch.Connection.ExecuteAsync("delete from order_locations where order_id = @OrderId", new { order.OrderId }, batch.Transaction);
            await batch.Connection.ExecuteAsync("insert into order_locations (location, order_id) values (@Location, @OrderId)",
                locations.Select(l => new { Location = l, order.OrderId }), batch.Transaction);
        }
        var open = order.Lines.Sum(l => l.Open);
        await batch.Connection.ExecuteAsync(
            """
            insert into order_summary (order_id, status, channel, external_reference, customer_id, ship_to_country, ship_to_region, locations,
              line_count, units, total_e4, currency, backordered_units, placed_at, reserved_at, shipped_at, delivered_at, cancelled_at,
              promised_ship_by, hold_reason, tracking_numbers, placed_day, ordered_units, first_allocated_units, backordered_at_placement, last_position)
            values (@OrderId, @Status, @Channel, @ExternalReference, @CustomerId, @Country, @Region, @Locations,
              @LineCount, @Units, @TotalE4, @Currency, @Backordered, @PlacedAt, @ReservedAt, @ShippedAt, @DeliveredAt, @CancelledAt,
              @PromisedShipBy, @HoldReason, @Tracking, @PlacedDay, @OrderedUnits, @FirstAllocated, @BackorderedAtPlacement, @Position)
            on conflict (order_id) do update set
              status = excluded.status, locations = excluded.locations, units = excluded.units, total_e4 = excluded.total_e4,
              backordered_units = excluded.backordered_units,
              reserved_at = coalesce(order_summary.reserved_at, excluded.reserved_at),
              shipped_at = coalesce(order_summary.shipped_at, excluded.shipped_at),
              delivered_at = coalesce(order_summary.delivered_at, excluded.delivered_at),
              cancelled_at = coalesce(order_summary.cancelled_at, excluded.cancelled_at),
              hold_reason = excluded.hold_reason, tracking_numbers = excluded.tracking_numbers,
              first_allocated_units = case when excluded.first_allocated_units < 0 then order_summary.first_allocated_units else excluded.first_allocated_units end,
              backordered_at_placement = case when excluded.backordered_at_placement < 0 then order_summary.backordered_at_placement else excluded.backordered_at_placement end,
              last_position = excluded.last_position
            where order_summary.last_position < excluded.last_position
            """,
            new
            {
                order.OrderId,
                Status = order.Status.ToCode(),
                order.Channel,
                order.ExternalReference,
                order.CustomerId,
                Country = order.ShipTo!.Country,
                Region = order.ShipTo.Region,
                Locations = string.Join(',', locations),
                LineCount = order.Lines.Count,
                Units = open,
                TotalE4 = (long)(order.Lines.Sum(l => l.Open * l.UnitPrice) * 10_000m),
                order.Currency,
                Backordered = order.Lines.Sum(l => l.Backordered),
                order.PlacedAt,
                ReservedAt = order.Status == OrderStatus.Reserved ? at : (DateTimeOffset?)null,
                ShippedAt = order.Shipments.IsEmpty ? (DateTimeOffset?)null : order.Shipments.Min(s => s.ShippedAt),
                DeliveredAt = order.Status == OrderStatus.Delivered ? order.Shipments.Max(s => s.DeliveredAt) : null,
                CancelledAt = order.Status == OrderStatus.Cancelled ? at : (DateTimeOffset?)null,
                order.PromisedShipBy,
                HoldReason = order.Hold?.Reason,
                Tracking = string.Join(',', order.Shipments.Select(s => s.TrackingNumber)),
                PlacedDay = order.PlacedAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                OrderedUnits = order.Lines.Sum(l => l.Ordered),
                // Placement facts for the KPIs, known only from the placement's own events (-1: keep what the row has).
                FirstAllocated = @event switch
                {
                    OrderEvents.OrderPlaced => 0,
                    OrderEvents.OrderStockAllocated { FromBackorder: false } a => a.Allocations.Sum(x => x.Quantity),
                    _ => -1,
                },
                BackorderedAtPlacement = @event switch { OrderEvents.OrderPlaced => 0, OrderEvents.OrderLinesBackordered => 1, _ => -1 },
                recorded.Position,
            },
            batch.Transaction);
    }
}
