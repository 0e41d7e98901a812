using System.Collections.Immutable;
using static EventSourcedOms.Domain.ErrorCodes;
using static EventSourcedOms.Domain.Inventory.StockEvents;

namespace EventSourcedOms.Domain.Inventory;

/// <summary>
/// One SKU at one location. Invariant, through any sequence of commands: on hand ≥ reserved + safety stock, so
/// available to promise (on hand − reserved − safety stock) is never negative.
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

    /// <summary>
    /// False for a state folded only for its levels (a read model's): reservations per line are then not kept, which a
    /// hot SKU's state would otherwise carry for every open order line. Such a state must not decide anything.
    /// </summary>
    public bool TracksReservations { get; init; } = true;

    /// <summary>The initial state of a fold that keeps only the levels (on hand, reserved, safety stock, last movement).</summary>
    public static StockState LevelsOnly { get; } = new() { TracksReservations = false };

    /// <summary>
    /// Reserved units per order line, so a release or shipment can only give back what that line holds. Held in
    /// memory for every open line of the SKU at the location (a hot SKU has hundreds of thousands), so generated order
    /// ids (32 lowercase hex digits) are kept as 16 bytes rather than as strings.
    /// </summary>
    ImmutableDictionary<ReservationKey, int> Lines { get; init; } = ImmutableDictionary<ReservationKey, int>.Empty;

    /// <summary>Reserved units per order line (a read-only view; see <see cref="ReservedFor"/> for one line).</summary>
    public IReadOnlyDictionary<(string OrderId, int LineNo), int> Reservations => new ReservationView(Lines);

    public int AvailableToPromise => OnHand - Reserved - SafetyStock;

    public int ReservedFor(string orderId, int lineNo) => Lines.GetValueOrDefault(ReservationKey.Of(orderId, lineNo));

    public StockState When(object @event) => @event switch
    {
        StockReceived e => Named(e.Sku, e.Location) with { OnHand = OnHand + e.Quantity, LastMovementAt = e.ReceivedAt },
        StockAdjusted e => Named(e.Sku, e.Location) with { OnHand = OnHand + e.Delta, LastMovementAt = e.AdjustedAt },
        SafetyStockSet e => Named(e.Sku, e.Location) with { SafetyStock = e.Quantity },
        StockReserved e => Named(e.Sku, e.Location) with { Reserved = Reserved + e.Quantity, Lines = Change(e.OrderId, e.LineNo, e.Quantity) },
        StockReservationReleased e => this with { Reserved = Reserved - e.Quantity, Lines = Change(e.OrderId, e.LineNo, -e.Quantity) },
        StockShipped e => this with
        {
            OnHand = OnHand - e.Quantity, Reserved = Reserved - e.Quantity, Lines = Change(e.OrderId, e.LineNo, -e.Quantity),
            LastMovementAt = e.ShippedAt,
        },
        _ => this,
    };

    StockState Named(string sku, string location) => Sku.Length > 0 ? this : this with { Sku = sku, Location = location };

    ImmutableDictionary<ReservationKey, int> Change(string orderId, int lineNo, int delta)
    {
        if (!TracksReservations) return Lines;
        var key = ReservationKey.Of(orderId, lineNo);
        var quantity = Lines.GetValueOrDefault(key) + delta;
        return quantity == 0 ? Lines.Remove(key) : Lines.SetItem(key, quantity);
    }

    /// <summary>An order line: a generated order id as its 16 bytes (<see cref="Text"/> null), any other id as text.</summary>
    readonly record struct ReservationKey(Guid Id, string? Text, int LineNo)
    {
        public static ReservationKey Of(string orderId, int lineNo) =>
            IsGenerated(orderId) ? new(Guid.ParseExact(orderId, "N"), null, lineNo) : new(Guid.Empty, orderId, lineNo);

        public string OrderId => Text ?? Id.ToString("N");

        // Exactly what Guid.ToString("N") writes, so the id reads back unchanged.
        static bool IsGenerated(string id)
        {
            if (id.Length != 32) return false;
            foreach (var c in id)
                if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return false;
            return true;
        }
    }

    sealed class ReservationView(ImmutableDictionary<ReservationKey, int> lines) : IReadOnlyDictionary<(string OrderId, int LineNo), int>
    {
        public int this[(string OrderId, int LineNo) key] => TryGetValue(key, out var q) ? q : throw new KeyNotFoundException($"{key.OrderId} line {key.LineNo}");
        public IEnumerable<(string OrderId, int LineNo)> Keys => lines.Keys.Select(k => (k.OrderId, k.LineNo));
        public IEnumerable<int> Values => lines.Values;
        public int Count => lines.Count;
        public bool ContainsKey((string OrderId, int LineNo) key) => lines.ContainsKey(ReservationKey.Of(key.OrderId, key.LineNo));
        public bool TryGetValue((string OrderId, int LineNo) key, out int value) => lines.TryGetValue(ReservationKey.Of(key.OrderId, key.LineNo), out value);
        public IEnumerator<KeyValuePair<(string OrderId, int LineNo), int>> GetEnumerator() =>
            lines.Select(l => KeyValuePair.Create((l.Key.OrderId, l.Key.LineNo), l.Value)).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
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

    static void RequireReserved(StockState state, string orderId, int lineNo, int quantity)
    {
        var held = state.ReservedFor(orderId, lineNo);
        if (Positive(quantity) > held)
            throw new DomainException(ReservationNotFound,
                $"{state.Sku} at {state.Location} holds {held} unit(s) for order {orderId} line {lineNo}; {quantity} requested.");
    }

    static int Positive(int quantity) =>
        quantity > 0 ? quantity : throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "Quantities are positive.");
}
