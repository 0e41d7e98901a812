namespace EventSourcedOms.Domain.Orders;

// Events are records of primitives and plain records only: they must deserialize forever. Type names (with their
// version) live in EventTypes; a change of shape gets a new version, never an edit of an old one.

public sealed record Address(string Name, string Line1, string? Line2, string City, string? Region, string PostalCode, string Country);

public sealed record PlacedLine(int LineNo, string Sku, int Quantity, decimal UnitPrice);

/// <summary>Stock reserved for a line at one location.</summary>
public sealed record Allocation(int LineNo, string Sku, string Location, int Quantity);

public sealed record LineQuantity(int LineNo, int Quantity);

/// <summary>Quantity given back to a location's stock when a line quantity is cancelled.</summary>
public sealed record Release(string Location, int Quantity);

public sealed record CancelledLine(int LineNo, string Sku, int Quantity, int FromBackorder, IReadOnlyList<Release> Releases);

public sealed record Package(string PackageId, int WeightGrams, IReadOnlyList<LineQuantity> Lines);

public static class OrderEvents
{
    public sealed record OrderPlaced(
        string OrderId, string Channel, string? ExternalReference, string CustomerId, Address ShipTo, string Currency,
        string ServiceLevel, DateTimeOffset? PromisedShipBy, string BackorderPolicy, IReadOnlyList<PlacedLine> Lines,
        DateTimeOffset PlacedAt, bool Imported);

    /// <summary>Stock reserved for lines; <see cref="FromBackorder"/> when it fills a backordered quantity later.</summary>
    public sealed record OrderStockAllocated(string OrderId, IReadOnlyList<Allocation> Allocations, bool FromBackorder, DateTimeOffset AllocatedAt);

    public sealed record OrderLinesBackordered(string OrderId, IReadOnlyList<LineQuantity> Lines, DateTimeOffset BackorderedAt);

    public sealed record OrderHeld(string OrderId, string Reason, string? Note, DateTimeOffset HeldAt);

    public sealed record OrderReleased(string OrderId, DateTimeOffset ReleasedAt);

    /// <summary>Quantities cancelled, one entry per line; the whole order when <see cref="WholeOrder"/>.</summary>
    public sealed record OrderQuantitiesCancelled(string OrderId, string Reason, bool WholeOrder, IReadOnlyList<CancelledLine> Lines, DateTimeOffset CancelledAt);

    public sealed record PickingStarted(string OrderId, string Location, DateTimeOffset StartedAt);

    public sealed record OrderItemsPicked(string OrderId, string Location, IReadOnlyList<LineQuantity> Lines, DateTimeOffset PickedAt);

    public sealed record OrderPacked(string OrderId, string Location, IReadOnlyList<Package> Packages, DateTimeOffset PackedAt);

    public sealed record OrderShipped(
        string OrderId, string ShipmentId, string Location, string Carrier, string Service, string TrackingNumber,
        IReadOnlyList<LineQuantity> Lines, DateTimeOffset ShippedAt);

    public sealed record ShipmentDelivered(string OrderId, string ShipmentId, DateTimeOffset DeliveredAt);
}
