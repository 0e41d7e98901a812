using System.Collections.Immutable;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Locations;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Routing;
using static EventSourcedOms.Domain.Orders.OrderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Properties;

/// <summary>
/// Orders, stock items and backorder queues held in memory and changed only by the domain's decisions, wired the way
/// the application wires them: an order decision and the stock and queue decisions that follow from it form one
/// unit. A rejected command (a <see cref="DomainException"/> from the first decision) changes nothing. A rejected
/// follow-up is a failure: the order accepted something the stock or the queue cannot carry out.
/// </summary>
public sealed partial class Fulfilment
{
    readonly string[] skus;
    readonly string[] locations;
    readonly LocationCatalog catalog;

    ImmutableDictionary<(string Sku, string Location), StockState> stock = ImmutableDictionary<(string, string), StockState>.Empty;

    /// <summary>Units each order line holds at each stock item, tallied from the stock events (the stock state keeps totals only).</summary>
    ImmutableDictionary<(string OrderId, int LineNo, string Sku, string Location), int> held = ImmutableDictionary<(string, int, string, string), int>.Empty;
    ImmutableDictionary<string, OrderState> orders = ImmutableDictionary<string, OrderState>.Empty;
    ImmutableList<string> orderIds = [];
    ImmutableDictionary<string, BackorderQueueState> queues = ImmutableDictionary<string, BackorderQueueState>.Empty;
    int shipments;
    DateTimeOffset now = T0;

    /// <summary>Accepted commands per kind, to show that the generated sequences reach every decision.</summary>
    public Dictionary<string, int> Accepted { get; } = [];

    /// <summary>Rejections per command kind and error code.</summary>
    public Dictionary<string, int> Rejected { get; } = [];

    public Fulfilment(int skuCount, IReadOnlyList<LocationSpec> locationSpecs)
    {
        skus = [.. Enumerable.Range(1, skuCount).Select(i => $"sku-{i}")];
        locations = [.. Enumerable.Range(1, locationSpecs.Count).Select(i => $"loc-{i}")];
        catalog = locationSpecs
            .Select((l, i) => new Location(locations[i], $"Location {i + 1}", LocationKinds.Warehouse, l.Priority, l.Ships))
            .Aggregate(LocationCatalog.Initial, (c, l) => LocationCatalog.Define(c, l, T0).Aggregate(c, (x, e) => x.When(e)));
    }

    public IEnumerable<OrderState> Orders => orders.Values;

    public static Fulfilment Run(Scenario scenario)
    {
        var model = new Fulfilment(scenario.SkuCount, scenario.Locations);
        for (var step = 0; step < scenario.Commands.Length; step++)
        {
            var command = scenario.Commands[step];
            model.Apply(command);
            var broken = model.BrokenInvariants();
            if (broken.Count > 0)
                throw new InvariantBroken($"After step {step} ({command}):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", broken)}");
        }
        return model;
    }

    public void Apply(Command command)
    {
        now = now.AddMinutes(1);
        var before = (stock, orders, orderIds, queues, shipments);
        try
        {
            if (Execute(command)) Accepted[command.GetType().Name] = Accepted.GetValueOrDefault(command.GetType().Name) + 1;
        }
        catch (ArgumentOutOfRangeException)
        {
            // A zero or negative quantity: the command validators refuse it before the domain; the domain refuses it too.
            (stock, orders, orderIds, queues, shipments) = before;
            Rejected["invalid quantity"] = Rejected.GetValueOrDefault("invalid quantity") + 1;
        }
        catch (DomainException e)
        {
            (stock, orders, orderIds, queues, shipments) = before;
            var key = $"{command.GetType().Name}: {e.Code}";
            Rejected[key] = Rejected.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>Runs the command; false when it had nothing to act on (no order yet, no shipment).</summary>
    bool Execute(Command command)
    {
        switch (command)
        {
            case Place c: PlaceOrder(c); return true;
            case Receive c: ChangeStock(c.Sku, c.Location, (s, sku, loc) => StockItem.Receive(s, sku, loc, c.Quantity, "po", now)); return true;
            case Adjust c: ChangeStock(c.Sku, c.Location, (s, sku, loc) => StockItem.Adjust(s, sku, loc, c.Delta, AdjustmentReasons.CycleCount, null, now)); return true;
            case SetSafety c: ChangeStock(c.Sku, c.Location, (s, sku, loc) => StockItem.SetSafetyStock(s, sku, loc, c.Quantity, now)); return true;
            case Hold c: return Decide(c.Order, s => Order.Hold(s, HoldReasons.Payment, null, now));
            case Release c: return Decide(c.Order, s => Order.Release(s, now), s => s.Hold is not null);
            case Cancel c: return Decide(c.Order, s => Order.Cancel(s, Reason, now));
            case CancelLine c: return Decide(c.Order, s => Order.CancelLine(s, LineNo(s, c.Line), c.Quantity, Reason, now));
            case StartPicking c:
                return Decide(c.Order, s => Order.StartPicking(s, c.Location is { } l ? locations[l] : null, now), s => Any(s, ToPick));
            case Pick c:
                return Decide(c.Order, s => Order.ConfirmPick(s, Where(s, c.Location, ToPickAt(s)), Lines(s, c.Location, c.Line, c.Quantity, ToPickAt(s)), now),
                    s => Any(s, ToPickAt(s)));
            case Pack c:
                return Decide(c.Order, s => Order.Pack(s, Where(s, c.Location, ToPack),
                    [new Package($"p-{now.Ticks}", 500, Lines(s, c.Location, c.Line, c.Quantity, ToPack))], now), s => Any(s, ToPack));
            case Ship c:
                return Decide(c.Order, s => Order.Ship(s, new OrderShipped(s.OrderId, $"s-{shipments + 1}", Where(s, c.Location, ToShip), "dhl", "express",
                    $"TRK-{shipments + 1}", Lines(s, c.Location, c.Line, c.Quantity, ToShip), now)), s => Any(s, ToShip));
            case Reship c: return Reship(c);
            case Deliver c:
                return Decide(c.Order, s => Order.ConfirmDelivery(s, s.Shipments.IsEmpty ? "s-none" : s.Shipments[c.Shipment % s.Shipments.Count].ShipmentId, now),
                    s => s.Shipments.Any(x => x.DeliveredAt is null));
            case FillBackorders c: FillBackorders(skus[c.Sku], c.MaxOrders); return true;
            default: throw new ArgumentOutOfRangeException(nameof(command), command, null);
        }
    }

    void PlaceOrder(Place c)
    {
        var orderId = $"o-{orderIds.Count + 1}";
        var lines = c.Lines.Select((l, i) => new PlacedLine(i + 1, skus[l.Sku], l.Quantity, 10m)).ToList();
        var placed = new OrderPlaced(orderId, "web", null, "c-1", ShipTo, "EUR", "standard", null,
            c.Backorder ? BackorderPolicies.Backorder : BackorderPolicies.Reject, lines, T0.AddMinutes(c.PlacedMinute), Imported: false);
        var plan = Router.Plan(lines, catalog.ShippingInRoutingOrder, (sku, location) => Stock(sku, location).AvailableToPromise);

        var events = Order.Place(OrderState.Initial, placed, plan);
        orders = orders.SetItem(orderId, Fold(OrderState.Initial, events));
        orderIds = orderIds.Add(orderId);
        FollowUp(events, orderId);
    }

    /// <summary>
    /// Runs an order decision on the orderIndex-th order counted back from the latest, among those <paramref name="prefer"/>
    /// picks out when there are any (orders with something to pick, to ship, …), else among all orders.
    /// </summary>
    bool Decide(int orderIndex, Func<OrderState, IReadOnlyList<object>> decide, Func<OrderState, bool>? prefer = null)
    {
        if (orderIds.IsEmpty) return false;
        var preferred = prefer is null ? [] : orderIds.Where(id => prefer(orders[id])).ToList();
        var candidates = preferred.Count > 0 ? preferred : [.. orderIds];
        var orderId = candidates[candidates.Count - 1 - orderIndex % candidates.Count];
        var events = decide(orders[orderId]);
        orders = orders.SetItem(orderId, Fold(orders[orderId], events));
        FollowUp(events, orderId);
        return true;
    }

    bool Reship(Reship c) => Decide(c.Order, s =>
    {
        if (s.Shipments.IsEmpty) throw new DomainException(ErrorCodes.ShipmentNotFound, "nothing shipped yet");
        var sent = s.Shipments[c.Shipment % s.Shipments.Count];
        var again = Order.Ship(s, new OrderShipped(s.OrderId, sent.ShipmentId, sent.Location, sent.Carrier, sent.Service, sent.TrackingNumber, sent.Lines, now));
        return again.Count == 0 ? again : throw new InvariantBroken($"Shipping {sent.ShipmentId} of {s.OrderId} again wrote {again.Count} event(s).");
    }, s => !s.Shipments.IsEmpty);

    void ChangeStock(int skuIndex, int locationIndex, Func<StockState, string, string, IReadOnlyList<object>> decide)
    {
        var (sku, location) = (skus[skuIndex], locations[locationIndex]);
        stock = stock.SetItem((sku, location), Fold(Stock(sku, location), decide(Stock(sku, location), sku, location)));
    }

    StockState Stock(string sku, string location) => stock.GetValueOrDefault((sku, location)) ?? StockState.Initial;

    BackorderQueueState Queue(string sku) => queues.GetValueOrDefault(sku) ?? BackorderQueueState.Initial;

    static int LineNo(OrderState order, int index) => order.Lines.IsEmpty ? 1 : order.Lines[index % order.Lines.Count].LineNo;

    // What is left to do for a line at a location, step by step.
    static int ToPick(LineAllocation a) => a.Allocated - a.Picked;
    static Func<LineAllocation, int> ToPickAt(OrderState order) => a => order.PickingAt.Contains(a.Location) ? ToPick(a) : 0;
    static int ToPack(LineAllocation a) => a.Picked - a.Packed;
    static int ToShip(LineAllocation a) => a.Packed - a.Shipped;

    static bool Any(OrderState order, Func<LineAllocation, int> left) => order.Lines.Any(l => l.Allocations.Any(a => left(a) > 0));

    /// <summary>The index-th of the locations where the order has work <paramref name="left"/>, else of any location.</summary>
    string Where(OrderState order, int index, Func<LineAllocation, int> left)
    {
        var busy = order.Lines.SelectMany(l => l.Allocations).Where(a => left(a) > 0).Select(a => a.Location).Distinct().Order(StringComparer.Ordinal).ToList();
        return busy.Count > 0 ? busy[index % busy.Count] : locations[index];
    }

    /// <summary>One line's quantity, or with 0 every line's whole remainder at the location.</summary>
    IReadOnlyList<LineQuantity> Lines(OrderState order, int locationIndex, int lineIndex, int quantity, Func<LineAllocation, int> left)
    {
        if (quantity > 0) return [new LineQuantity(LineNo(order, lineIndex), quantity)];
        var location = Where(order, locationIndex, left);
        var all = order.Lines
            .Select(l => new LineQuantity(l.LineNo, l.At(location) is { } a ? left(a) : 0))
            .Where(l => l.Quantity > 0).ToList();
        return all.Count > 0 ? all : [new LineQuantity(LineNo(order, lineIndex), 1)];
    }

    static OrderState Fold(OrderState state, IEnumerable<object> events) => events.Aggregate(state, (s, e) => s.When(e));

    StockState Fold(StockState state, IEnumerable<object> events)
    {
        foreach (var e in events)
        {
            state = state.When(e);
            if (StockEvents.Holding(e) is not ({ } orderId, var lineNo, { } sku, { } location, var delta)) continue;
            var quantity = held.GetValueOrDefault((orderId, lineNo, sku, location)) + delta;
            held = quantity == 0 ? held.Remove((orderId, lineNo, sku, location)) : held.SetItem((orderId, lineNo, sku, location), quantity);
        }
        return state;
    }

    static BackorderQueueState Fold(BackorderQueueState state, IEnumerable<object> events) => events.Aggregate(state, (s, e) => s.When(e));
}

public sealed class InvariantBroken(string message) : Exception(message);
