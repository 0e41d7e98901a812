namespace EventSourcedOms.Domain;

/// <summary>
/// A command the current state does not allow. <see cref="Code"/> is stable and machine-readable (the API maps it to
/// a problem type); <see cref="Details"/> carries the numbers a caller needs to act, e.g. the short lines of an order.
/// </summary>
public sealed class DomainException(string code, string message, IReadOnlyList<ShortLine>? shortLines = null) : Exception(message)
{
    public string Code { get; } = code;

    /// <summary>For <see cref="ErrorCodes.InsufficientStock"/>: each line that could not be filled.</summary>
    public IReadOnlyList<ShortLine> ShortLines { get; } = shortLines ?? [];
}

/// <summary>A line the network cannot fill: what was asked for and what could be promised to it.</summary>
public sealed record ShortLine(int LineNo, string Sku, int Requested, int Available);

/// <summary>Every domain error code in one place, so that the API, docs and tests agree on them.</summary>
public static class ErrorCodes
{
    public const string OrderNotFound = "order-not-found";
    public const string OrderAlreadyExists = "order-already-exists";
    public const string OrderCancelled = "order-cancelled";
    public const string OrderShipped = "order-shipped";
    public const string OrderPartiallyShipped = "order-partially-shipped";
    public const string OrderDelivered = "order-delivered";
    public const string OrderOnHold = "order-on-hold";
    public const string OrderAlreadyOnHold = "order-already-on-hold";
    public const string OrderNotOnHold = "order-not-on-hold";
    public const string NothingReserved = "nothing-reserved";
    public const string NothingToPick = "nothing-to-pick";
    public const string PickingNotStarted = "picking-not-started";
    public const string NothingToPack = "nothing-to-pack";
    public const string NothingPacked = "nothing-packed";
    public const string NothingShipped = "nothing-shipped";
    public const string NothingBackordered = "nothing-backordered";
    public const string LineNotFound = "line-not-found";
    public const string QuantityExceedsOpen = "quantity-exceeds-open";
    public const string QuantityExceedsReserved = "quantity-exceeds-reserved";
    public const string QuantityExceedsPicked = "quantity-exceeds-picked";
    public const string QuantityExceedsPacked = "quantity-exceeds-packed";
    public const string ShipmentNotFound = "shipment-not-found";
    public const string ShipmentIdConflict = "shipment-id-conflict";
    public const string InsufficientStock = "insufficient-stock";
    public const string UnknownLocation = "unknown-location";
    public const string LocationDoesNotShip = "location-does-not-ship";
    public const string AdjustmentBelowCommitted = "adjustment-below-committed";
    public const string SafetyStockExceedsFree = "safety-stock-exceeds-free-stock";
    public const string ReservationNotFound = "reservation-not-found";
    public const string OrderTooFragmented = "order-too-fragmented";
    public const string StockLimitExceeded = "stock-limit-exceeded";
}
