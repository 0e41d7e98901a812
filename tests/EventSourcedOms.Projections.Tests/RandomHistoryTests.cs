using EventSourcedOms.Application;
using EventSourcedOms.Application.Orders.CancelOrder;
using EventSourcedOms.Application.Orders.CancelOrderLine;
using EventSourcedOms.Application.Orders.ConfirmDelivery;
using EventSourcedOms.Application.Orders.ConfirmPick;
using EventSourcedOms.Application.Orders.HoldOrder;
using EventSourcedOms.Application.Orders.PackOrder;
using EventSourcedOms.Application.Orders.ReleaseOrder;
using EventSourcedOms.Application.Orders.ShipOrder;
using EventSourcedOms.Application.Orders.StartPicking;
using EventSourcedOms.Application.Tests.Support;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Projections.Kpis;
using static EventSourcedOms.Application.Tests.Support.Commands;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Projections.Tests;

/// <summary>
/// A long random history (10,000 commands) through the real pipeline (placements on many days and channels, both policies, receipts,
/// holds, cancellations, picking, packing, split shipments, deliveries; rejected commands included), then: the live
/// tables equal verify's replay and the test's own fold of the log, and the KPIs equal KPIs the test computes from
/// the raw events by itself.
/// </summary>
public abstract partial class ProjectionScenarios
{
    [Fact]
    public async Task after_a_long_random_history_the_rows_equal_a_replay_and_the_kpis_equal_an_independent_count()
    {
        var random = new Random(20261127);
        var skus = new[] { "SKU-R1", "SKU-R2", "SKU-R3" };
        var locations = new[] { "wh-r1", "wh-r2" };
        var channels = new[] { "web", "marketplace:amazon", "pos:berlin" };
        for (var i = 0; i < locations.Length; i++) await Node.Send(Warehouse(locations[i], i + 1));
        foreach (var sku in skus) foreach (var location in locations) await Node.Send(Receive(sku, location, random.Next(2, 6)));
        var orders = new List<string>();
        var shipments = new List<(string Order, string Shipment)>();

        for (var step = 0; step < 10_000; step++)
        {
            Time.Advance(TimeSpan.FromMinutes(random.Next(1, 90)));
            var order = orders.Count == 0 ? null : orders[random.Next(orders.Count)];
            var state = order is null ? OrderState.Initial : await OrderAsync(order);
            // Fulfilment steps pick what the order can actually do next, so the history reaches shipments and deliveries.
            var work = state.Lines.SelectMany(l => l.Allocations.Select(a => (Line: l.LineNo, A: a))).ToList();
            var pick = work.Where(w => w.A.Allocated > w.A.Picked && state.PickingAt.Contains(w.A.Location)).Select(w => (w.Line, w.A.Location, Qty: w.A.Allocated - w.A.Picked)).FirstOrDefault();
            var pack = work.Where(w => w.A.Picked > w.A.Packed).Select(w => (w.Line, w.A.Location, Qty: w.A.Picked - w.A.Packed)).FirstOrDefault();
            var send = work.Where(w => w.A.Packed > w.A.Shipped).Select(w => (w.Line, w.A.Location, Qty: w.A.Packed - w.A.Shipped)).FirstOrDefault();
            OmsCommand command = (random.Next(12), order) switch
            {
                (< 2, _) or (_, null) => Place(random.Next(2) == 0 ? BackorderPolicies.Reject : BackorderPolicies.Backorder,
                        [.. Enumerable.Range(0, random.Next(1, 3)).Select(_ => (skus[random.Next(skus.Length)], random.Next(1, 4)))])
                    with { OrderId = $"ord-r{step}", Channel = channels[random.Next(channels.Length)], PromisedShipBy = Time.GetUtcNow().AddHours(random.Next(1, 48)) },
                (2, _) => Receive(skus[random.Next(skus.Length)], locations[random.Next(locations.Length)], random.Next(1, 5)),
                (3, { } o) => new HoldOrder(o, HoldReasons.Payment),
                (4, { } o) => random.Next(3) == 0 ? new CancelOrder(o, "random") : new CancelOrderLine(o, random.Next(1, 3), 1, "random"),
                (11, _) when shipments.Count > 0 => shipments[random.Next(shipments.Count)] is var (so, sid) ? new ConfirmDelivery(so, sid) : null!,
                // Otherwise move the order one step further along.
                (_, { } o) when state.Hold is not null => new ReleaseOrder(o),
                (_, { } o) when send.Qty > 0 => new ShipOrder(o, $"s{step}", send.Location, "DHL", "parcel", $"T{step}", [new LineQuantity(send.Line, send.Qty)]),
                (_, { } o) when pack.Qty > 0 => new PackOrder(o, pack.Location, [new Package($"p{step}", 500, [new LineQuantity(pack.Line, pack.Qty)])]),
                (_, { } o) when pick.Qty > 0 => new ConfirmPick(o, pick.Location, [new LineQuantity(pick.Line, random.Next(1, pick.Qty + 1))]),
                (_, { } o) => new StartPicking(o),
            };
            try
            {
                var result = await Node.Send(command);
                if (command is Application.Orders.PlaceOrder.PlaceOrder) orders.Add(result.Id);
                if (command is ShipOrder ship) shipments.Add((ship.OrderId, ship.ShipmentId));
            }
            catch (DomainException)
            {
            }
        }
        await CatchUpAsync();
        var accepted = (await Ledger.ReadAsync(Store)).Events.Select(e => e.Type).ToHashSet();
        Assert.True(shipments.Count >= 5, $"only {shipments.Count} shipments: the history is too tame to mean much");
        string[] wanted = ["OrderHeld.v1", "OrderReleased.v1", "OrderQuantitiesCancelled.v1", "OrderLinesBackordered.v1", "BackorderFilled.v1", "ShipmentDelivered.v1"];
        Assert.Empty(wanted.Except(accepted));

        await AssertRowsMatchTheLogAsync();
        var expected = IndependentKpis((await Ledger.ReadAsync(Store)).Events
            .Where(e => e.Stream.StartsWith(Streams.OrderPrefix, StringComparison.Ordinal))
            .Select(e => (e.Stream, Event: EventTypes.Deserialize(e.Type, e.Data.Span)!)).ToList());
        var actual = await new KpiQueries(Db).ByDayAndChannelAsync(new DateOnly(2026, 1, 1), new DateOnly(2030, 1, 1), null, TestContext.Current.CancellationToken);
        Assert.True(expected.Count > 5, "the history should span several days and channels");
        Assert.Equal(expected.Select(k => k with { CycleTimeHoursAverage = Round(k.CycleTimeHoursAverage) }),
            actual.Select(k => k with { CycleTimeHoursAverage = Round(k.CycleTimeHoursAverage) }));
    }

    async Task<OrderState> OrderAsync(string orderId)
    {
        var events = await Store.ReadStreamAsync(Streams.Order(orderId), 0, EventStore.Direction.Forwards, 1000, TestContext.Current.CancellationToken);
        return events.Aggregate(OrderState.Initial, (s, e) => s.When(EventTypes.Deserialize(e.Type, e.Data.Span)!));
    }

    static double? Round(double? value) => value is null ? null : Math.Round(value.Value, 6);

    /// <summary>The KPI definitions applied to the raw order events, without the read model or the domain's fold.</summary>
    static List<DailyKpis> IndependentKpis(List<(string Stream, object Event)> events)
    {
        var perOrder = events.GroupBy(e => e.Stream).Select(g =>
        {
            var placed = g.Select(e => e.Event).OfType<OrderPlaced>().Single();
            var ordered = placed.Lines.Sum(l => l.Quantity);
            var cancelled = g.Select(e => e.Event).OfType<OrderQuantitiesCancelled>().Sum(c => c.Lines.Sum(l => l.Quantity));
            var firstShipment = g.Select(e => e.Event).OfType<OrderShipped>().Select(s => (DateTimeOffset?)s.ShippedAt).FirstOrDefault();
            var openValue = placed.Lines.Sum(l => l.Quantity * l.UnitPrice)
                - g.Select(e => e.Event).OfType<OrderQuantitiesCancelled>().Sum(c => c.Lines.Sum(l => l.Quantity * placed.Lines.Single(p => p.LineNo == l.LineNo).UnitPrice));
            return new
            {
                Day = placed.PlacedAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                placed.Channel, placed.Currency, placed.PlacedAt, placed.PromisedShipBy,
                Ordered = ordered,
                Cancelled = cancelled == ordered,
                Value = openValue,
                Backordered = g.Select(e => e.Event).OfType<OrderLinesBackordered>().Any(),
                FirstAllocated = g.Select(e => e.Event).OfType<OrderStockAllocated>().Where(a => !a.FromBackorder).Sum(a => a.Allocations.Sum(x => x.Quantity)),
                FirstShipment = firstShipment,
            };
        });
        return [.. perOrder.GroupBy(o => (o.Day, o.Channel)).OrderBy(g => g.Key.Day, StringComparer.Ordinal).ThenBy(g => g.Key.Channel, StringComparer.Ordinal).Select(g =>
        {
            var list = g.ToList();
            var cycle = list.Where(o => o.FirstShipment is not null).Select(o => (o.FirstShipment!.Value - o.PlacedAt).TotalHours).Order().ToList();
            var promised = list.Where(o => o.FirstShipment is not null && o.PromisedShipBy is not null).ToList();
            // Nearest rank ⌈p × n⌉, in exact (decimal) arithmetic: 0.9 × 70 is 63, where doubles make it 63.000000000000007.
            double? Rank(decimal p) => cycle.Count == 0 ? null : cycle[Math.Max(0, (int)Math.Ceiling(p * cycle.Count) - 1)];
            return new DailyKpis(g.Key.Day, g.Key.Channel, list.Count, list.Sum(o => o.Ordered), list.Sum(o => o.Value), list.Select(o => o.Currency).Distinct().Single(),
                (double)list.Count(o => o.Cancelled) / list.Count, (double)list.Count(o => o.Backordered) / list.Count,
                (double)list.Sum(o => o.FirstAllocated) / list.Sum(o => o.Ordered),
                cycle.Count == 0 ? null : cycle.Average(), Rank(0.5m), Rank(0.9m),
                promised.Count == 0 ? null : (double)promised.Count(o => o.FirstShipment <= o.PromisedShipBy) / promised.Count);
        })];
    }
}
