namespace EventSourcedOms.Domain.Inventory;

/// <summary>Events of one SKU at one location (stream <c>stock-&lt;sku&gt;@&lt;location&gt;</c>).</summary>
public static class StockEvents
{
    public sealed record StockReceived(string Sku, string Location, int Quantity, string Reference, DateTimeOffset ReceivedAt);

    /// <summary>A correction of on-hand stock: positive or negative, with why (cycle count, damage, …).</summary>
    public sealed record StockAdjusted(string Sku, string Location, int Delta, string Reason, string? Note, DateTimeOffset AdjustedAt);

    public sealed record SafetyStockSet(string Sku, string Location, int Quantity, DateTimeOffset SetAt);

    public sealed record StockReserved(string Sku, string Location, string OrderId, int LineNo, int Quantity, DateTimeOffset ReservedAt);

    public sealed record StockReservationReleased(string Sku, string Location, string OrderId, int LineNo, int Quantity, string Reason, DateTimeOffset ReleasedAt);

    /// <summary>Reserved units left the building: on hand and reserved both drop.</summary>
    public sealed record StockShipped(string Sku, string Location, string OrderId, int LineNo, int Quantity, string ShipmentId, DateTimeOffset ShippedAt);

    /// <summary>
    /// What an event changes in the units one order line holds at this item (+ reserved, − released or shipped), or
    /// null for an event that holds nothing for a line. The stock state keeps totals only; this is how a reader that
    /// wants the holdings per line (an audit, the tests) tallies them from the events.
    /// </summary>
    public static (string OrderId, int LineNo, string Sku, string Location, int Delta)? Holding(object @event) => @event switch
    {
        StockReserved e => (e.OrderId, e.LineNo, e.Sku, e.Location, e.Quantity),
        StockReservationReleased e => (e.OrderId, e.LineNo, e.Sku, e.Location, -e.Quantity),
        StockShipped e => (e.OrderId, e.LineNo, e.Sku, e.Location, -e.Quantity),
        _ => null,
    };
}

public static class AdjustmentReasons
{
    public const string CycleCount = "cycle-count", Damage = "damage", Loss = "loss", Found = "found", Return = "return", Correction = "correction";

    public static IReadOnlyList<string> All { get; } = [CycleCount, Damage, Loss, Found, Return, Correction];
}
