using System.Text.Json;
using EventSourcedOms.Application.Tests.Support;
using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections;
using EventSourcedOms.Projections.Runner;
using static EventSourcedOms.Domain.Inventory.StockEvents;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Faults.Tests.Support;

/// <summary>
/// What must hold after the faults, checked against the store itself (read with the store library, folded by the
/// <see cref="Ledger"/>) once every API process is gone.
/// </summary>
public static class StoreChecks
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Every acknowledged command's events exist exactly once; nothing is half-applied (reservations and allocations
    /// agree, stock adds up); only orders the client asked for exist. Returns the ledger for further checks.
    /// </summary>
    public static async Task<Ledger> AssertAcknowledgedExactlyOnceAsync(IEventStore store, IEnumerable<Answer> acknowledged, string run)
    {
        var ledger = await Ledger.ReadAsync(store);
        var events = ledger.Events;
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        var byStream = events.GroupBy(e => e.Stream).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var byPosition = events.ToDictionary(e => e.Position);
        List<RecordedEvent> Stream(string name) => byStream.GetValueOrDefault(name) ?? [];
        T Data<T>(RecordedEvent e) => JsonSerializer.Deserialize<T>(e.Data.Span, Application.Sessions.EventSerializer.Options)!;

        // Each key was answered once (a replay answers the same, see OmsClient); take the first answer per key.
        var answers = acknowledged.Where(a => a.Key is not null).GroupBy(a => a.Key!).Select(g => g.First()).ToList();
        // Not vacuous: the load placed, shipped and cancelled orders.
        foreach (var kind in new[] { Kind.Place, Kind.Ship, Kind.Cancel })
            Assert.True(answers.Any(a => a.Kind == kind && a.Accepted), $"no acknowledged {kind}");
        foreach (var a in answers)
        {
            var record = Stream(OmsClient.RequestStream(a.Key!));
            var what = $"{a.Key} ({a.Status} {a.Text})";
            if (a.Accepted)
            {
                Assert.True(record is [{ Type: "CommandSucceeded.v1" }], $"{what}: request record {string.Join(", ", record.Select(r => r.Type))}");
                // The position the client was given is a committed event of this command: the order's or its request record.
                Assert.True(byPosition.TryGetValue(a.Position, out var last) && (last.Stream == Streams.Order(a.OrderId ?? "?") || last.Stream == record[0].Stream || a.Kind == Kind.Receive),
                    $"{what}: position {a.Position} is not an event of this command");
            }
            else if (a.Status is 404 or 409 or 422)
                Assert.True(record is [{ Type: "CommandRejected.v1" }], $"{what}: request record {string.Join(", ", record.Select(r => r.Type))}");
            else Assert.Fail($"{what}: unexpected answer");

            if (a.OrderId is null) continue;
            var order = Stream(Streams.Order(a.OrderId));
            switch (a.Kind)
            {
                case Kind.Place when a.Status == 201:
                    Assert.True(order is [{ Type: "OrderPlaced.v1", Revision: 0 }, ..], $"{what}: order stream starts with {order.FirstOrDefault()?.Type}");
                    break;
                case Kind.Place when a.Code == "insufficient-stock":
                    Assert.Empty(order);
                    break;
                case Kind.Ship when a.Accepted:
                    var shipmentId = JsonDocument.Parse(a.Body!).RootElement.GetProperty("shipmentId").GetString();
                    Assert.Single(order, e => e.Type == "OrderShipped.v1" && Data<OrderShipped>(e).ShipmentId == shipmentId);
                    Assert.Contains(events, e => e.Type == "StockShipped.v1" && Data<StockShipped>(e).ShipmentId == shipmentId);
                    break;
                case Kind.Cancel when a.Accepted:
                    Assert.Single(order, e => e.Type == "OrderQuantitiesCancelled.v1" && Data<OrderQuantitiesCancelled>(e).WholeOrder);
                    break;
            }
        }

        // Every order: placed once, at revision 0, by one of this run's flows (acknowledged or not).
        foreach (var (stream, list) in byStream.Where(s => s.Key.StartsWith(Streams.OrderPrefix, StringComparison.Ordinal)))
        {
            Assert.StartsWith(Streams.Order(run + "-o"), stream);
            Assert.Single(list, e => e.Type == "OrderPlaced.v1");
            Assert.Equal(0, list.Single(e => e.Type == "OrderPlaced.v1").Revision);
        }
        // No reservation without its order (the domain-level check follows in AssertConsistent).
        foreach (var e in events.Where(e => e.Type == "StockReserved.v1"))
            Assert.True(byStream.ContainsKey(Streams.Order(Data<StockReserved>(e).OrderId)), $"StockReserved at {e.Position} for an order that does not exist");

        ledger.AssertConsistent();

        // Stock adds up: what was received, less what the orders say they shipped, is on hand; what they hold is reserved.
        foreach (var (sku, received) in OrderTraffic.Seeded)
        {
            var stock = ledger.StockOf(sku, OrderTraffic.Location);
            var lines = ledger.Orders.Values.SelectMany(o => o.Lines).Where(l => l.Sku == sku).ToList();
            Assert.Equal((received - lines.Sum(l => l.Shipped), lines.Sum(l => l.Reserved)), (stock.OnHand, stock.Reserved));
        }
        return ledger;
    }

    /// <summary>Runs the projections in this process until they have caught up with the log, then verifies each one
    /// (a replay into shadow tables compared row by row with the live rows): zero differences.</summary>
    public static async Task AssertProjectionsVerifyAsync(IEventStore store, ProjectionDatabase readModels)
    {
        var head = (await Ledger.ReadAsync(store)).Events.Max(e => e.Position);
        var host = new ProjectionHost(store, readModels, ReadModels.All) { LeaseRetry = TimeSpan.FromMilliseconds(200) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = host.RunAsync(stop.Token);
        try
        {
            var ryw = new ReadYourWrites(store, readModels);
            foreach (var projection in ReadModels.All)
                Assert.True(await ryw.WaitForAsync(projection, head, TimeSpan.FromSeconds(60), Ct), $"{projection.Name} did not catch up with {head}");
            foreach (var projection in ReadModels.All)
            {
                var differences = await host.VerifyAsync(projection, Ct);
                Assert.True(differences.Count == 0, $"{projection.Name}: {differences.Count} differences, e.g. {string.Join("; ", differences.Take(3))}");
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await running;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
