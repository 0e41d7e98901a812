using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Routing;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Domain.Tests.Support;

/// <summary>
/// One order (<see cref="OrderId"/>) and short factories for its events, so a Given reads as the story it tells.
/// Event times are fixed per kind; decisions in a When take <see cref="At"/>.
/// </summary>
public static class OrderFixture
{
    public const string OrderId = "o-1";
    public const string SkuA = "sku-a", SkuB = "sku-b";
    public const string Wh1 = "wh-1", Wh2 = "wh-2";
    public const string Reason = "customer-request";

    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int minutes) => T0.AddMinutes(minutes);

    public static readonly Address ShipTo = new("Ada Lovelace", "12 Analytical Row", null, "London", null, "N1 9GU", "GB");

    public static PlacedLine Line(int lineNo, string sku, int quantity) => new(lineNo, sku, quantity, 12.50m);

    public static OrderPlaced Placed(params PlacedLine[] lines) => Placed(BackorderPolicies.Backorder, lines);

    public static OrderPlaced Placed(string backorderPolicy, params PlacedLine[] lines) =>
        new(OrderId, "web", null, "c-42", ShipTo, "EUR", "standard", null, backorderPolicy, lines, T0, Imported: false);

    public static Allocation Alloc(int lineNo, string sku, string location, int quantity) => new(lineNo, sku, location, quantity);

    public static LineQuantity Qty(int lineNo, int quantity) => new(lineNo, quantity);

    public static AllocationPlan Plan(params Allocation[] allocations) => new(allocations, []);

    public static OrderStockAllocated Allocated(params Allocation[] allocations) => new(OrderId, allocations, FromBackorder: false, T0);

    public static OrderLinesBackordered Backordered(params LineQuantity[] lines) => new(OrderId, lines, T0);

    public static OrderHeld Held(string reason = HoldReasons.Payment) => new(OrderId, reason, null, At(5));

    public static PickingStarted PickingAt(string location) => new(OrderId, location, At(10));

    public static OrderItemsPicked Picked(string location, params LineQuantity[] lines) => new(OrderId, location, lines, At(20));

    public static OrderPacked Packed(string location, params LineQuantity[] lines) =>
        new(OrderId, location, [new Package("p-" + location, 1200, lines)], At(30));

    public static OrderShipped Shipped(string shipmentId, string location, params LineQuantity[] lines) =>
        new(OrderId, shipmentId, location, "dhl", "express", "TRK-" + shipmentId, lines, At(40));

    public static ShipmentDelivered Delivered(string shipmentId) => new(OrderId, shipmentId, At(2 * 24 * 60));
}
