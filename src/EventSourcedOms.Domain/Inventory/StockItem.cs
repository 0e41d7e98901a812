using static EventSourcedOms.Domain.ErrorCodes;
using static EventSourcedOms.Domain.Inventory.StockEvents;

namespace EventSourcedOms.Domain.Inventory;

/// <summary>
/// One SKU at one location. Invariant, through any sequence of commands: on hand ≥ reserved + safety stock, so
/// available to promise (on hand − reserved − safety stock) is never negative. The state is the levels only, a few
/// numbers however many orders hold the item: what each order line holds here is the order's to know (its allocations
/// at this location, less what it shipped), and every release or shipment is decided on the order and appended with
/// the stock's events in one atomic multi-stream append (expected revisions on both), so the two never disagree.
/// </summary>
public sealed record StockState
{
    public static StockState Initial { get; } = new();

    public string Sku { get; init; } = "";
    public string Location { get; init; } = "";
    public int OnHand { get; init; }
    public int Reserved { get; init; }
    public int SafetyStock { get; init; }
    public DateTimeOffset? LastMovementAt { get; init; }

    public int AvailableToPromise => OnHand - Reserved - SafetyStock;

    public StockState When(object @event) => @event switch
    {
        StockReceived e => Named(e.Sku, e.Location) with { OnHand = OnHand + e.Quantity, LastMovementAt = e.ReceivedAt },
        StockAdjusted e => Named(e.Sku, e.Location) with { OnHand = OnHand + e.Delta, LastMovementAt = e.AdjustedAt },
        SafetyStockSet e => Named(e.Sku, e.Location) with { SafetyStock = e.Quantity },
        StockReserved e => Named(e.Sku, e.Location) with { Reserved = Reserved + e.Quantity },
        StockReservationReleased e => this with { Reserved = Reserved - e.Quantity },
        StockShipped e => this with { OnHand = OnHand - e.Quantity, Reserved = Reserved - e.Quantity, LastMovementAt = e.ShippedAt },
        _ => this,
    };

    StockState Named(string sku, string location) => Sku.Length > 0 ? this : this with { Sku = sku, Location = location };
}

/// <summary>Stock decisions. <paramref name="sku"/> and <paramref name="location"/> name the item for a stream that does not exist yet.</summary>
public static class StockItem
{
    /// <summary>On hand is an <c>int</c>: 2,147,483,647 units of one SKU at one location at most.</summary>
    public static IReadOnlyList<object> Receive(StockState state, string sku, string location, int quantity, string reference, DateTimeOffset at)
    {
        WithinLimit(state, sku, location, Positive(quantity));
        return [new StockReceived(sku, location, quantity, reference, at)];
    }

    static void WithinLimit(StockState state, string sku, string location, long delta)
    {
        if (state.OnHand + delta > int.MaxValue)
            throw new DomainException(StockLimitExceeded, $"{sku} at {location}: on hand {state.OnHand} + {delta} exceeds {int.MaxValue} units.");
    }

    public static IReadOnlyList<object> Adjust(StockState state, string sku, string location, int delta, string reason, string? note, DateTimeOffset at)
    {
        if (delta == 0) throw new ArgumentOutOfRangeException(nameof(delta), delta, "An adjustment changes the stock.");
        WithinLimit(state, sku, location, delta);
        var committed = state.Reserved + state.SafetyStock;
        if (state.OnHand + delta < committed)
            throw new DomainException(AdjustmentBelowCommitted,
                $"{sku} at {location}: on hand {state.OnHand} {delta:+#;-#} would fall below reserved {state.Reserved} + safety stock {state.SafetyStock}. " +
                "Cancel or move reservations, or lower the safety stock, first.");
        return [new StockAdjusted(sku, location, delta, reason, note, at)];
    }

    public static IReadOnlyList<object> SetSafetyStock(StockState state, string sku, string location, int quantity, DateTimeOffset at)
    {
        if (quantity < 0) throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "Safety stock is 0 or more.");
        if (quantity == state.SafetyStock && state.Sku.Length > 0) return [];
        var free = state.OnHand - state.Reserved;
        if (quantity > free)
            throw new DomainException(SafetyStockExceedsFree,
                $"{sku} at {location}: safety stock {quantity} exceeds the {free} unit(s) on hand and not reserved.");
        return [new SafetyStockSet(sku, location, quantity, at)];
    }

    public static IReadOnlyList<object> Reserve(StockState state, string sku, string location, string orderId, int lineNo, int quantity, DateTimeOffset at)
    {
        if (Positive(quantity) > state.AvailableToPromise)
            throw new DomainException(InsufficientStock, $"{sku} at {location}: {state.AvailableToPromise} available to promise; {quantity} requested.");
        return [new StockReserved(sku, location, orderId, lineNo, quantity, at)];
    }

    public static IReadOnlyList<object> Release(StockState state, string orderId, int lineNo, int quantity, string reason, DateTimeOffset at)
    {
        RequireReserved(state, orderId, lineNo, quantity);
        return [new StockReservationReleased(state.Sku, state.Location, orderId, lineNo, quantity, reason, at)];
    }

    public static IReadOnlyList<object> Ship(StockState state, string orderId, int lineNo, int quantity, string shipmentId, DateTimeOffset at)
    {
        RequireReserved(state, orderId, lineNo, quantity);
        return [new StockShipped(state.Sku, state.Location, orderId, lineNo, quantity, shipmentId, at)];
    }

    // The order decided the quantity from what its line holds here; the item checks its own total, which no order can overdraw.
    static void RequireReserved(StockState state, string orderId, int lineNo, int quantity)
    {
        if (Positive(quantity) > state.Reserved)
            throw new DomainException(ReservationNotFound,
                $"{state.Sku} at {state.Location} holds {state.Reserved} reserved unit(s) in all; {quantity} requested for order {orderId} line {lineNo}.");
    }

    static int Positive(int quantity) =>
        quantity > 0 ? quantity : throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "Quantities are positive.");
}
