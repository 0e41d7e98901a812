using System.Collections.Immutable;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Domain.Orders;

/// <summary>Stock of one line at one location. Cumulative counts: Shipped ≤ Packed ≤ Picked ≤ Allocated.</summary>
public sealed record LineAllocation(string Location, int Allocated, int Picked, int Packed, int Shipped)
{
    /// <summary>Still held in the location's stock for this line.</summary>
    public int Reserved => Allocated - Shipped;
}

/// <summary>
/// One order line. Invariant: Ordered = Cancelled + Backordered + Σ Allocated. "Reserved" is what is still held in
/// stock (allocated, not yet shipped).
/// </summary>
public sealed record OrderLine(int LineNo, string Sku, int Ordered, decimal UnitPrice, int Backordered, int Cancelled, int Delivered,
    ImmutableList<LineAllocation> Allocations)
{
    // Loops, not LINQ: these run several times per event in every fold (projections replay millions of events), and
    // LINQ over an ImmutableList allocates an enumerator per call.
    public int Allocated { get { var n = 0; foreach (var a in Allocations) n += a.Allocated; return n; } }
    public int Reserved { get { var n = 0; foreach (var a in Allocations) n += a.Reserved; return n; } }
    public int Picked { get { var n = 0; foreach (var a in Allocations) n += a.Picked; return n; } }
    public int Packed { get { var n = 0; foreach (var a in Allocations) n += a.Packed; return n; } }
    public int Shipped { get { var n = 0; foreach (var a in Allocations) n += a.Shipped; return n; } }

    /// <summary>Ordered and not cancelled.</summary>
    public int Open => Ordered - Cancelled;

    /// <summary>What a cancellation can still take: open and not shipped.</summary>
    public int Cancellable => Open - Shipped;

    public LineAllocation? At(string location) => Allocations.Find(a => a.Location == location);
}

public sealed record Hold(string Reason, string? Note, DateTimeOffset HeldAt);

public sealed record Shipment(string ShipmentId, string Location, string Carrier, string Service, string TrackingNumber,
    ImmutableList<LineQuantity> Lines, DateTimeOffset ShippedAt, DateTimeOffset? DeliveredAt);

/// <summary>An order folded from its events. Immutable: every event yields a new state.</summary>
public sealed record OrderState
{
    public static OrderState Initial { get; } = new();

    public string OrderId { get; init; } = "";
    public OrderStatus Status { get; init; }
    public string Channel { get; init; } = "";
    public string? ExternalReference { get; init; }
    public string CustomerId { get; init; } = "";
    public Address? ShipTo { get; init; }
    public string Currency { get; init; } = "";
    public string ServiceLevel { get; init; } = "";
    public DateTimeOffset? PromisedShipBy { get; init; }
    public string BackorderPolicy { get; init; } = BackorderPolicies.Reject;
    public DateTimeOffset PlacedAt { get; init; }
    public ImmutableList<OrderLine> Lines { get; init; } = [];
    public Hold? Hold { get; init; }
    public ImmutableHashSet<string> PickingAt { get; init; } = [];
    public ImmutableList<Shipment> Shipments { get; init; } = [];

    public OrderLine? Line(int lineNo) => Lines.Find(l => l.LineNo == lineNo);

    public Shipment? FindShipment(string shipmentId) => Shipments.Find(s => s.ShipmentId == shipmentId);

    public OrderState When(object @event)
    {
        var next = @event switch
        {
            OrderPlaced e => this with
            {
                OrderId = e.OrderId, Channel = e.Channel, ExternalReference = e.ExternalReference, CustomerId = e.CustomerId,
                ShipTo = e.ShipTo, Currency = e.Currency, ServiceLevel = e.ServiceLevel, PromisedShipBy = e.PromisedShipBy,
                BackorderPolicy = e.BackorderPolicy, PlacedAt = e.PlacedAt,
                Lines = [.. e.Lines.Select(l => new OrderLine(l.LineNo, l.Sku, l.Quantity, l.UnitPrice, 0, 0, 0, []))],
            },
            OrderStockAllocated e => e.Allocations.Aggregate(this, (s, a) => s.UpdateLine(a.LineNo, line => line with
            {
                Backordered = e.FromBackorder ? line.Backordered - a.Quantity : line.Backordered,
                Allocations = line.UpdateAt(a.Location, x => x with { Allocated = x.Allocated + a.Quantity }),
            })),
            OrderLinesBackordered e => e.Lines.Aggregate(this, (s, l) => s.UpdateLine(l.LineNo, line => line with { Backordered = line.Backordered + l.Quantity })),
            OrderHeld e => this with { Hold = new Hold(e.Reason, e.Note, e.HeldAt) },
            OrderReleased => this with { Hold = null },
            OrderQuantitiesCancelled e => e.Lines.Aggregate(this, (s, c) => s.UpdateLine(c.LineNo, line => line with
            {
                Cancelled = line.Cancelled + c.Quantity,
                Backordered = line.Backordered - c.FromBackorder,
                Allocations = c.Releases.Aggregate(line.Allocations, (all, r) => ReleaseAt(all, r)),
            })),
            PickingStarted e => this with { PickingAt = PickingAt.Add(e.Location) },
            OrderItemsPicked e => e.Lines.Aggregate(this, (s, l) => s.UpdateLine(l.LineNo, line => line with
            {
                Allocations = line.UpdateAt(e.Location, x => x with { Picked = x.Picked + l.Quantity }),
            })),
            OrderPacked e => e.Packages.SelectMany(p => p.Lines).Aggregate(this, (s, l) => s.UpdateLine(l.LineNo, line => line with
            {
                Allocations = line.UpdateAt(e.Location, x => x with { Packed = x.Packed + l.Quantity }),
            })),
            OrderShipped e => e.Lines.Aggregate(this with
            {
                Shipments = Shipments.Add(new Shipment(e.ShipmentId, e.Location, e.Carrier, e.Service, e.TrackingNumber, [.. e.Lines], e.ShippedAt, null)),
            }, (s, l) => s.UpdateLine(l.LineNo, line => line with
            {
                Allocations = line.UpdateAt(e.Location, x => x with { Shipped = x.Shipped + l.Quantity }),
            })),
            ShipmentDelivered e => FindShipment(e.ShipmentId) is { } shipment
                ? shipment.Lines.Aggregate(this with
                {
                    Shipments = Shipments.Replace(shipment, shipment with { DeliveredAt = e.DeliveredAt }),
                }, (s, l) => s.UpdateLine(l.LineNo, line => line with { Delivered = line.Delivered + l.Quantity }))
                : this,
            _ => this,
        };
        var status = next.DeriveStatus();
        // A cancelled order has nothing left to hold, however it got there (whole order or line by line).
        return next with { Status = status, Hold = status == OrderStatus.Cancelled ? null : next.Hold };
    }

    OrderState UpdateLine(int lineNo, Func<OrderLine, OrderLine> update)
    {
        var line = Line(lineNo) ?? throw new InvalidOperationException($"Event names line {lineNo}, which order {OrderId} does not have.");
        return this with { Lines = Lines.Replace(line, update(line)) };
    }

    // Cancelling picked or packed units puts them back on the shelf: the cumulative counts shrink with the allocation.
    static ImmutableList<LineAllocation> ReleaseAt(ImmutableList<LineAllocation> all, Release release)
    {
        var current = all.Find(a => a.Location == release.Location)
            ?? throw new InvalidOperationException($"Release from {release.Location}, where the line holds nothing.");
        var allocated = current.Allocated - release.Quantity;
        var picked = Math.Min(current.Picked, allocated);
        return all.Replace(current, current with { Allocated = allocated, Picked = picked, Packed = Math.Min(current.Packed, picked) });
    }

    OrderStatus DeriveStatus()
    {
        if (Lines.IsEmpty) return OrderStatus.None;
        int open = 0, shipped = 0, delivered = 0, packed = 0, allocated = 0;
        bool backordered = false, picking = false;
        foreach (var line in Lines)
        {
            open += line.Open;
            delivered += line.Delivered;
            backordered |= line.Backordered > 0;
            foreach (var a in line.Allocations)
            {
                shipped += a.Shipped;
                packed += a.Packed;
                allocated += a.Allocated;
                picking |= a.Picked > 0 || a.Allocated > 0 && PickingAt.Contains(a.Location);
            }
        }
        if (open == 0) return OrderStatus.Cancelled;
        if (shipped == open) return delivered == open ? OrderStatus.Delivered : OrderStatus.Shipped;
        if (shipped > 0) return OrderStatus.PartiallyShipped;
        if (packed == open) return OrderStatus.Packed;
        if (!PickingAt.IsEmpty && picking) return OrderStatus.Picking;
        if (allocated == 0) return OrderStatus.Backordered;
        return backordered ? OrderStatus.PartiallyBackordered : OrderStatus.Reserved;
    }
}

static class OrderLineExtensions
{
    public static ImmutableList<LineAllocation> UpdateAt(this OrderLine line, string location, Func<LineAllocation, LineAllocation> update)
    {
        var current = line.At(location);
        return current is null
            ? line.Allocations.Add(update(new LineAllocation(location, 0, 0, 0, 0)))
            : line.Allocations.Replace(current, update(current));
    }
}
