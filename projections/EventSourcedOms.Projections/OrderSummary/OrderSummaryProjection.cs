using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections.Kpis;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.OrderSummary;

/// <summary>
/// <c>order_summary</c>: one row per order, rewritten from the order's folded state after each of its events (so the
/// row follows the domain's own status rules). Milestone times are business times (the event's <c>occurredAt</c>) and
/// are kept once set: reserved (fully reserved), shipped (first shipment), delivered (all delivered), cancelled.
/// It also keeps the placement facts the KPIs need: units ordered, units reserved at placement, backordered at placement.
/// With the rows, in the same transaction, it maintains the counters that dashboards read instead of aggregating
/// every row: orders per status (<c>order_status_counts</c>) and the KPI tables (<see cref="KpiCounters"/>).
/// </summary>
public sealed class OrderSummaryProjection : IProjection
{
    public string Name => "order_summary";
    public string Folder => "OrderSummary";
    public EventFilter Filter { get; } = EventFilter.StreamPrefix(Streams.OrderPrefix);
    public IReadOnlyList<(string Table, string Key)> Tables { get; } =
    [
        ("order_summary", "order_id"), ("order_locations", "location, order_id"), ("order_skus", "sku, placed_at, order_id"), ("order_status_counts", "status"),
        .. KpiCounters.Tables,
    ];

    /// <summary>An allocation's locations replace the order's earlier ones: deleted by order id.</summary>
    public IReadOnlyCollection<string> WriteIndexes { get; } = ["order_locations_order"];

    /// <summary>An order's SKUs are written once, by its placement.</summary>
    public IReadOnlyCollection<string> InsertOnlyTables { get; } = ["order_skus"];

    public async Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct)
    {
        var order = await batch.States.OrderAsync(recorded, @event, ct);
        var at = recorded.Metadata.OccurredAt ?? recorded.RecordedAt;
        var pending = batch.Pending<Pending>();
        // One pass over the lines (this runs for every order event, in every rebuild).
        int units = 0, ordered = 0, backordered = 0;
        decimal total = 0;
        var locations = new List<string>(1);  // where stock is allocated, distinct, in ordinal order
        foreach (var line in order.Lines)
        {
            units += line.Open;
            ordered += line.Ordered;
            backordered += line.Backordered;
            total += line.Open * line.UnitPrice;
            foreach (var allocation in line.Allocations)
            {
                if (allocation.Allocated <= 0) continue;
                var index = locations.BinarySearch(allocation.Location, StringComparer.Ordinal);
                if (index < 0) locations.Insert(~index, allocation.Location);
            }
        }
        DateTimeOffset? firstShipped = null, lastDelivered = null;
        foreach (var shipment in order.Shipments)
        {
            if (firstShipped is null || shipment.ShippedAt < firstShipped) firstShipped = shipment.ShippedAt;
            if (lastDelivered is null || shipment.DeliveredAt > lastDelivered) lastDelivered = shipment.DeliveredAt;
        }
        var row = new SummaryRow
        {
            OrderId = order.OrderId,
            Status = order.Status.ToCode(),
            Channel = order.Channel,
            ExternalReference = order.ExternalReference,
            CustomerId = order.CustomerId,
            ShipToCountry = order.ShipTo!.Country,
            ShipToRegion = order.ShipTo.Region,
            Locations = locations.Count switch { 0 => "", 1 => locations[0], _ => string.Join(',', locations) },
            LineCount = order.Lines.Count,
            Units = units,
            TotalE4 = (long)(total * 10_000m),
            Currency = order.Currency,
            BackorderedUnits = backordered,
            PlacedAt = Micro(order.PlacedAt),
            ReservedAt = order.Status == OrderStatus.Reserved ? Micro(at) : null,
            ShippedAt = Micro(firstShipped),
            DeliveredAt = order.Status == OrderStatus.Delivered ? Micro(lastDelivered) : null,
            CancelledAt = order.Status == OrderStatus.Cancelled ? Micro(at) : null,
            PromisedShipBy = Micro(order.PromisedShipBy),
            HoldReason = order.Hold?.Reason,
            TrackingNumbers = order.Shipments.IsEmpty ? "" : string.Join(',', order.Shipments.Select(s => s.TrackingNumber)),
            PlacedDay = order.PlacedAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            OrderedUnits = ordered,
            // Placement facts for the KPIs, known only from the placement's own events (-1: keep what the row has).
            FirstAllocatedUnits = @event switch
            {
                OrderEvents.OrderPlaced => 0,
                OrderEvents.OrderStockAllocated { FromBackorder: false } a => a.Allocations.Sum(x => x.Quantity),
                _ => -1,
            },
            BackorderedAtPlacement = @event switch { OrderEvents.OrderPlaced => 0, OrderEvents.OrderLinesBackordered => 1, _ => -1 },
            LastPosition = recorded.Position,
        };
        pending.Rows[order.OrderId] = pending.Rows.TryGetValue(order.OrderId, out var earlier) ? earlier.Then(row) : row;
        if (@event is OrderEvents.OrderStockAllocated or OrderEvents.OrderQuantitiesCancelled) pending.Locations[order.OrderId] = locations;
        if (@event is OrderEvents.OrderPlaced)
            foreach (var sku in order.Lines.Select(l => l.Sku).Distinct(StringComparer.Ordinal)) pending.Skus.Add(new SkuRow(sku, row.PlacedAt, order.OrderId));
    }

    // Timestamps as PostgreSQL keeps them (microseconds), so that counters computed here equal those computed from stored rows.
    static DateTimeOffset Micro(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    static DateTimeOffset? Micro(DateTimeOffset? at) => at is { } a ? Micro(a) : null;

    sealed record LocationRow(string Location, string OrderId);

    sealed record SkuRow(string Sku, DateTimeOffset PlacedAt, string OrderId);

    sealed class Pending : IPendingWrites
    {
        static readonly BatchTable<SummaryRow> Table = new("order_summary", "order_id");
        static readonly BatchTable<LocationRow> LocationTable = new("order_locations", "location, order_id");
        static readonly BatchTable<SkuRow> SkuTable = new("order_skus", "sku, placed_at, order_id");
        static readonly CounterTable StatusCounts = new("order_status_counts", "status", "orders, on_hold");

        /// <summary>Each order's row as of the batch's last event for it (merged with its earlier events of the batch).</summary>
        public Dictionary<string, SummaryRow> Rows { get; } = new(StringComparer.Ordinal);

        /// <summary>The locations of orders whose allocations changed in the batch.</summary>
        public Dictionary<string, List<string>> Locations { get; } = new(StringComparer.Ordinal);

        /// <summary>The SKUs of orders placed in the batch (written as they come: a replay's duplicates change nothing).</summary>
        public List<SkuRow> Skus { get; } = [];

        public async Task FlushAsync(ProjectionBatch batch, CancellationToken ct)
        {
            if (Rows.Count == 0) return;
            var stored = (await Table.ReadAsync(batch, Rows.Values)).ToDictionary(r => r.OrderId, StringComparer.Ordinal);
            var statuses = StatusCounts.Start();
            var kpis = new KpiCounters();
            var rows = new List<SummaryRow>(Rows.Count);
            var replaced = new List<LocationRow>();  // orders that had locations stored (a new order has none)
            foreach (var (orderId, latest) in Rows)
            {
                var old = stored.GetValueOrDefault(orderId);
                if (old is not null && old.LastPosition >= latest.LastPosition)
                {
                    Locations.Remove(orderId);  // the row already holds a later event (a replay): so do its locations
                    continue;
                }
                if (old is not null && Locations.ContainsKey(orderId)) replaced.Add(new LocationRow("", orderId));
                var row = old is null ? latest : old.Then(latest);
                rows.Add(row);
                if (old is not null)
                {
                    statuses.Add(-1, [old.Status], 1, old.HoldReason is null ? 0 : 1);
                    kpis.Add(-1, old);
                }
                statuses.Add(+1, [row.Status], 1, row.HoldReason is null ? 0 : 1);
                kpis.Add(+1, row);
            }
            await Table.UpsertAsync(batch, rows);
            await LocationTable.DeleteAsync(batch, replaced, by: "order_id");
            await LocationTable.UpsertAsync(batch, [.. Locations.SelectMany(l => l.Value.Select(location => new LocationRow(location, l.Key)))]);
            await SkuTable.UpsertAsync(batch, Skus);
            await statuses.FlushAsync(batch);
            await kpis.FlushAsync(batch);
        }
    }
}
