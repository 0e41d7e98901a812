using EventSourcedOms.Domain.Routing;
using static EventSourcedOms.Domain.ErrorCodes;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Domain.Orders;

/// <summary>
/// The order's decisions: guard (the lifecycle table, then quantities) → decide → emit. Each returns the events to
/// append, or none when the command was already applied (a shipment or delivery seen before).
/// </summary>
public static class Order
{
    public static IReadOnlyList<object> Place(OrderState state, OrderPlaced placed, AllocationPlan plan)
    {
        OrderLifecycle.Guard(state, OrderAction.Place);
        if (plan.Shortages.Count > 0 && placed.BackorderPolicy == BackorderPolicies.Reject)
            throw new DomainException(InsufficientStock,
                $"Not enough stock for {plan.Shortages.Count} line(s) of order {placed.OrderId}.", plan.Shortages);

        // Backorders before allocations: a reader folding event by event never sees a half-placed order as fully
        // reserved (it passes through "backordered", which marks no milestone).
        var events = new List<object> { placed };
        var backordered = plan.Shortages.Select(s => new LineQuantity(s.LineNo, s.Requested - s.Available)).ToList();
        if (backordered.Count > 0)
            events.Add(new OrderLinesBackordered(placed.OrderId, backordered, placed.PlacedAt));
        if (plan.Allocations.Count > 0)
            events.Add(new OrderStockAllocated(placed.OrderId, plan.Allocations, FromBackorder: false, placed.PlacedAt));
        return events;
    }

    public static IReadOnlyList<object> Hold(OrderState state, string reason, string? note, DateTimeOffset at)
    {
        OrderLifecycle.Guard(state, OrderAction.Hold);
        return [new OrderHeld(state.OrderId, reason, note, at)];
    }

    public static IReadOnlyList<object> Release(OrderState state, DateTimeOffset at)
    {
        OrderLifecycle.Guard(state, OrderAction.Release);
        return [new OrderReleased(state.OrderId, at)];
    }

    /// <summary>Cancels every quantity not shipped; the caller releases the returned reservations in the same commit.</summary>
    public static IReadOnlyList<object> Cancel(OrderState state, string reason, DateTimeOffset at)
    {
        OrderLifecycle.Guard(state, OrderAction.Cancel);
        var lines = state.Lines.Where(l => l.Cancellable > 0).Select(l => PlanCancel(l, l.Cancellable)).ToList();
        return [new OrderQuantitiesCancelled(state.OrderId, reason, WholeOrder: true, lines, at)];
    }

    public static IReadOnlyList<object> CancelLine(OrderState state, int lineNo, int quantity, string reason, DateTimeOffset at)
    {
        OrderLifecycle.Guard(state, OrderAction.CancelLine);
        Positive(quantity, nameof(quantity));
        var line = RequireLine(state, lineNo);
        if (quantity > line.Cancellable)
            throw new DomainException(QuantityExceedsOpen,
                $"Line {lineNo} has {line.Cancellable} unit(s) that can still be cancelled; {quantity} requested.");
        return [new OrderQuantitiesCancelled(state.OrderId, reason, WholeOrder: false, [PlanCancel(line, quantity)], at)];
    }

    /// <summary>Starts picking at one location, or at every location with unpicked stock when none is named.</summary>
    public static IReadOnlyList<object> StartPicking(OrderState state, string? location, DateTimeOffset at)
    {
        OrderLifecycle.Guard(state, OrderAction.StartPicking);
        var unpicked = state.Lines.SelectMany(l => l.Allocations).Where(a => a.Allocated > a.Picked).Select(a => a.Location)
            .Distinct().Order(StringComparer.Ordinal).ToList();
        var targets = location is null ? unpicked : unpicked.Where(l => l == location).ToList();
        if (targets.Count == 0)
            throw new DomainException(NothingToPick, location is null
                ? $"Order {state.OrderId} has no reserved stock left to pick."
                : $"Order {state.OrderId} has no reserved stock left to pick at {location}.");
        // Already picking there: nothing new happens, so a repeated scan is harmless.
        return [.. targets.Where(l => !state.PickingAt.Contains(l)).Select(l => new PickingStarted(state.OrderId, l, at))];
    }

    public static IReadOnlyList<object> ConfirmPick(OrderState state, string location, IReadOnlyList<LineQuantity> lines, DateTimeOffset at)
    {
        OrderLifecycle.Guard(state, OrderAction.ConfirmPick);
        if (!state.PickingAt.Contains(location))
            throw new DomainException(PickingNotStarted, $"Picking has not started for order {state.OrderId} at {location}.");
        foreach (var (lineNo, quantity) in Totals(lines))
        {
            var at_ = RequireLine(state, lineNo).At(location);
            var left = at_ is null ? 0 : at_.Allocated - at_.Picked;
            if (quantity > left)
                throw new DomainException(QuantityExceedsReserved, $"Line {lineNo} has {left} unit(s) left to pick at {location}; {quantity} confirmed.");
        }
        return [new OrderItemsPicked(state.OrderId, location, lines, at)];
    }

    public static IReadOnlyList<object> Pack(OrderState state, string location, IReadOnlyList<Package> packages, DateTimeOffset at)
    {
        OrderLifecycle.Guard(state, OrderAction.Pack);
        foreach (var (lineNo, quantity) in Totals(packages.SelectMany(p => p.Lines)))
        {
            var at_ = RequireLine(state, lineNo).At(location);
            var left = at_ is null ? 0 : at_.Picked - at_.Packed;
            if (quantity > left)
                throw new DomainException(QuantityExceedsPicked, $"Line {lineNo} has {left} picked unit(s) left to pack at {location}; {quantity} packed.");
        }
        return [new OrderPacked(state.OrderId, location, packages, at)];
    }

    /// <summary>A shipment id seen before with the same content ships nothing again; with other content it is a conflict.</summary>
    public static IReadOnlyList<object> Ship(OrderState state, OrderShipped shipment)
    {
        if (state.FindShipment(shipment.ShipmentId) is { } existing)
            return IsSameShipment(existing, shipment) ? [] : throw new DomainException(ShipmentIdConflict,
                $"Shipment {shipment.ShipmentId} of order {state.OrderId} was already recorded with other content.");
        OrderLifecycle.Guard(state, OrderAction.Ship);
        foreach (var (lineNo, quantity) in Totals(shipment.Lines))
        {
            var at_ = RequireLine(state, lineNo).At(shipment.Location);
            var left = at_ is null ? 0 : at_.Packed - at_.Shipped;
            if (quantity > left)
                throw new DomainException(QuantityExceedsPacked,
                    $"Line {lineNo} has {left} packed unit(s) left to ship from {shipment.Location}; {quantity} shipped.");
        }
        return [shipment];
    }

    public static IReadOnlyList<object> ConfirmDelivery(OrderState state, string shipmentId, DateTimeOffset at)
    {
        OrderLifecycle.Guard(state, OrderAction.ConfirmDelivery);
        var shipment = state.FindShipment(shipmentId)
            ?? throw new DomainException(ShipmentNotFound, $"Order {state.OrderId} has no shipment {shipmentId}.");
        return shipment.DeliveredAt is null ? [new ShipmentDelivered(state.OrderId, shipmentId, at)] : [];
    }

    /// <summary>Fills backordered quantities with stock that has arrived; the stock side reserves it in the same commit.</summary>
    public static IReadOnlyList<object> AllocateBackorder(OrderState state, IReadOnlyList<Allocation> allocations, DateTimeOffset at)
    {
        OrderLifecycle.Guard(state, OrderAction.AllocateBackorder);
        foreach (var a in allocations)
            if (RequireLine(state, a.LineNo).Sku != a.Sku)
                throw new InvalidOperationException($"Allocation of {a.Sku} for line {a.LineNo}, which orders {RequireLine(state, a.LineNo).Sku}.");
        foreach (var (lineNo, quantity) in Totals(allocations.Select(a => new LineQuantity(a.LineNo, a.Quantity))))
        {
            var line = RequireLine(state, lineNo);
            if (quantity > line.Backordered)
                throw new DomainException(NothingBackordered, $"Line {lineNo} has {line.Backordered} backordered unit(s); {quantity} allocated.");
        }
        return [new OrderStockAllocated(state.OrderId, allocations, FromBackorder: true, at)];
    }

    /// <summary>
    /// Backordered units go first (nothing to give back), then reserved units not yet picked, then picked ones (which go
    /// back on the shelf); within each, the latest allocation first.
    /// </summary>
    static CancelledLine PlanCancel(OrderLine line, int quantity)
    {
        var fromBackorder = Math.Min(quantity, line.Backordered);
        var rest = quantity - fromBackorder;
        var releases = new List<Release>();
        void Take(Func<LineAllocation, int> available)
        {
            foreach (var allocation in line.Allocations.Reverse())
            {
                var already = releases.Where(r => r.Location == allocation.Location).Sum(r => r.Quantity);
                var take = Math.Min(rest, Math.Min(available(allocation), allocation.Reserved - already));
                if (take <= 0) continue;
                releases.Add(new Release(allocation.Location, take));
                rest -= take;
            }
        }
        Take(a => a.Allocated - a.Picked);
        Take(a => a.Reserved);
        var merged = releases.GroupBy(r => r.Location).Select(g => new Release(g.Key, g.Sum(r => r.Quantity))).ToList();
        return new CancelledLine(line.LineNo, line.Sku, quantity, fromBackorder, merged);
    }

    static int Positive(int quantity, string what) =>
        quantity > 0 ? quantity : throw new ArgumentOutOfRangeException(what, quantity, "Quantities are positive.");

    static OrderLine RequireLine(OrderState state, int lineNo) =>
        state.Line(lineNo) ?? throw new DomainException(LineNotFound, $"Order {state.OrderId} has no line {lineNo}.");

    static IEnumerable<(int LineNo, int Quantity)> Totals(IEnumerable<LineQuantity> lines) =>
        lines.GroupBy(l => l.LineNo).Select(g => (g.Key, g.Sum(l => Positive(l.Quantity, "quantity"))));

    static bool IsSameShipment(Shipment existing, OrderShipped shipment) =>
        existing.Location == shipment.Location && existing.Carrier == shipment.Carrier && existing.Service == shipment.Service
        && existing.TrackingNumber == shipment.TrackingNumber
        && existing.Lines.OrderBy(l => l.LineNo).SequenceEqual(shipment.Lines.OrderBy(l => l.LineNo));
}
