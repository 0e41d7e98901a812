using EventSourcedOms.Application.Inventory;
using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Locations;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Routing;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Application.Orders;

/// <summary>The fields PlaceOrder and ImportChannelOrder share, validated once.</summary>
public interface IOrderInput
{
    string Channel { get; }
    string? ExternalReference { get; }
    string CustomerId { get; }
    Address ShipTo { get; }
    string Currency { get; }
    string ServiceLevel { get; }
    DateTimeOffset? PromisedShipBy { get; }
    string BackorderPolicy { get; }
    IReadOnlyList<PlacedLine> Lines { get; }
}

/// <summary>
/// Placing an order reserves its stock in the same atomic multi-stream append: the order stream (expects no stream),
/// every stock stream it reserves from (each at the revision routing read) and the backorder queues of short SKUs.
/// <see cref="PlacementBatcher"/> runs it; this class holds the rules.
/// </summary>
public static class OrderPlacement
{
    public const int MaxLines = 200;

    /// <summary>Events one placement may write, below the store's default per-append limit of 2,000.</summary>
    public const int MaxEventsPerOrder = 800;

    public static void Validate(IOrderInput o, Validator v)
    {
        v.Require(o.Channel is { Length: > 0 and <= 64 } && o.Channel.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is ':' or '-' or '_' or '.'),
            "channel", "must be 1-64 characters of a-z 0-9 : - _ . (e.g. web, marketplace:amazon, pos:store-12)");
        v.Text(o.ExternalReference, "externalReference", max: 100, required: false);
        v.Text(o.CustomerId, "customerId", max: 100);
        if (o.ShipTo is null) v.Error("shipTo", "is required");
        else
        {
            v.Text(o.ShipTo.Name, "shipTo.name").Text(o.ShipTo.Line1, "shipTo.line1").Text(o.ShipTo.Line2, "shipTo.line2", required: false)
             .Text(o.ShipTo.City, "shipTo.city", max: 100).Text(o.ShipTo.Region, "shipTo.region", max: 100, required: false)
             .Text(o.ShipTo.PostalCode, "shipTo.postalCode", max: 20)
             .Require(o.ShipTo.Country is { Length: 2 } && o.ShipTo.Country.All(char.IsAsciiLetterUpper), "shipTo.country", "must be an ISO 3166-1 alpha-2 code, e.g. DE");
        }
        v.Require(o.Currency is { Length: 3 } && o.Currency.All(char.IsAsciiLetterUpper), "currency", "must be an ISO 4217 code, e.g. EUR");
        v.Text(o.ServiceLevel, "serviceLevel", max: 50);
        v.Time(o.PromisedShipBy, "promisedShipBy", required: false);
        v.OneOf(o.BackorderPolicy, [BackorderPolicies.Reject, BackorderPolicies.Backorder], "backorderPolicy");
        if (o.Lines is null || o.Lines.Count == 0) { v.Error("lines", "must have at least one line"); return; }
        v.Require(o.Lines.Count <= MaxLines, "lines", $"must have at most {MaxLines} lines");
        var seen = new HashSet<int>();
        for (var i = 0; i < o.Lines.Count; i++)
        {
            var line = o.Lines[i];
            if (line is null) { v.Error($"lines[{i}]", "is required"); continue; }
            v.Require(line.LineNo is > 0 and <= 10_000, $"lines[{i}].lineNo", "must be between 1 and 10000")
             .Require(seen.Add(line.LineNo), $"lines[{i}].lineNo", "is used by another line")
             .Id(line.Sku, $"lines[{i}].sku")
             .Positive(line.Quantity, $"lines[{i}].quantity", max: 100_000)
             .Require(line.UnitPrice is >= 0 and <= 1_000_000_000 && decimal.Round(line.UnitPrice, 4) == line.UnitPrice,
                 $"lines[{i}].unitPrice", "must be between 0 and 1000000000 with at most 4 decimals");
        }
    }

    public static OrderPlaced ToEvent(IOrderInput o, string orderId, DateTimeOffset placedAt, bool imported) =>
        new(orderId, o.Channel, o.ExternalReference, o.CustomerId, o.ShipTo, o.Currency, o.ServiceLevel, o.PromisedShipBy,
            o.BackorderPolicy, [.. o.Lines], placedAt, imported);

    /// <summary>The streams to lock before deciding: every stock stream of the SKUs at every shipping location, and their backorder queues.</summary>
    public static IEnumerable<string> LockedStreams(IReadOnlyCollection<string> skus, IReadOnlyList<Location> routing) =>
        [.. skus.SelectMany(sku => routing.Select(l => Streams.Stock(sku, l.LocationId))), .. skus.Select(BackorderFiller.QueueStream)];

    /// <summary>
    /// Routes one order against the (locked, loaded) stock and applies its decisions: the order's events, a
    /// reservation on each stock stream it takes from, the queue entries of its short lines. Throws the domain's
    /// rejection (nothing applied) when the order is short under policy <c>reject</c> or already exists.
    /// </summary>
    public static async Task DecideAsync(Session session, Loaded<OrderState> order, OrderPlaced placed, IReadOnlyList<Location> routing,
        IReadOnlyDictionary<(string Sku, string Location), Loaded<StockState>> stock, CancellationToken ct)
    {
        var plan = Router.Plan(placed.Lines, routing, (sku, location) => stock[(sku, location)].State.AvailableToPromise);
        // One order is one append: its events must fit the store's per-append limit (2,000 by default).
        var events = 3 + plan.Allocations.Count + plan.Shortages.Count;
        if (events > MaxEventsPerOrder)
            throw new DomainException(ErrorCodes.OrderTooFragmented,
                $"Order {placed.OrderId} would be split into {plan.Allocations.Count} reservations ({events} events; at most {MaxEventsPerOrder}). Split it into smaller orders.");
        var decided = Order.Place(order.State, placed, plan);
        order.Apply(decided);
        foreach (var a in plan.Allocations)
            stock[(a.Sku, a.Location)].Apply(StockItem.Reserve(stock[(a.Sku, a.Location)].State, a.Sku, a.Location, placed.OrderId, a.LineNo, a.Quantity, placed.PlacedAt));
        foreach (var shortBySku in plan.Shortages.GroupBy(s => s.Sku))
        {
            var queue = await session.Backorders(shortBySku.Key, ct);
            queue.Apply(BackorderQueue.Enqueue(shortBySku.Key, placed.OrderId,
                shortBySku.Select(s => new LineQuantity(s.LineNo, s.Requested - s.Available)), placed.PlacedAt));
        }
    }
}
