using System.Text.Json;
using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Locations;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;
using Snapshooter.Xunit3;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Application.Tests.Architecture;

/// <summary>
/// Stored events must stay readable forever, so their JSON is a contract: one sample of every registered event type
/// is snapshotted, and any change of shape shows up as a diff to review (and, if intended, a new ".vN" type).
/// </summary>
public sealed class EventContractTests
{
    static readonly DateTimeOffset At = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);
    static readonly Address ShipTo = new("Ada Lovelace", "Unter den Linden 1", null, "Berlin", "BE", "10117", "DE");

    static readonly object[] Samples =
    [
        new OrderPlaced("o-1", "marketplace:amazon", "AMZ-1", "c-1", ShipTo, "EUR", "express", At.AddDays(1), BackorderPolicies.Backorder,
            [new PlacedLine(1, "SKU-1", 2, 19.99m)], At, Imported: true),
        new OrderStockAllocated("o-1", [new Allocation(1, "SKU-1", "wh-1", 2)], FromBackorder: false, At),
        new OrderLinesBackordered("o-1", [new LineQuantity(1, 1)], At),
        new OrderHeld("o-1", HoldReasons.Fraud, "score 91", At),
        new OrderReleased("o-1", At),
        new OrderQuantitiesCancelled("o-1", "customer request", WholeOrder: false, [new CancelledLine(1, "SKU-1", 2, 1, [new Release("wh-1", 1)])], At),
        new PickingStarted("o-1", "wh-1", At),
        new OrderItemsPicked("o-1", "wh-1", [new LineQuantity(1, 2)], At),
        new OrderPacked("o-1", "wh-1", [new Package("p-1", 850, [new LineQuantity(1, 2)])], At),
        new OrderShipped("o-1", "s-1", "wh-1", "DHL", "parcel", "JD01", [new LineQuantity(1, 2)], At),
        new ShipmentDelivered("o-1", "s-1", At),
        new StockEvents.StockReceived("SKU-1", "wh-1", 10, "PO-7", At),
        new StockEvents.StockAdjusted("SKU-1", "wh-1", -2, AdjustmentReasons.Damage, "forklift", At),
        new StockEvents.SafetyStockSet("SKU-1", "wh-1", 3, At),
        new StockEvents.StockReserved("SKU-1", "wh-1", "o-1", 1, 2, At),
        new StockEvents.StockReservationReleased("SKU-1", "wh-1", "o-1", 1, 1, "order-cancelled", At),
        new StockEvents.StockShipped("SKU-1", "wh-1", "o-1", 1, 1, "s-1", At),
        new BackorderEvents.BackorderQueued("SKU-1", "o-1", 1, 1, At),
        new BackorderEvents.BackorderFilled("SKU-1", "o-1", 1, 1, "wh-1", At),
        new BackorderEvents.BackorderWithdrawn("SKU-1", "o-1", 1, 1, At),
        new LocationEvents.LocationDefined("wh-1", "Main warehouse", LocationKinds.Warehouse, 1, Ships: true, At),
    ];

    [Fact]
    public void every_registered_event_type_has_a_sample_here() =>
        Assert.Equal(EventTypes.Registered.Select(r => r.Type).OrderBy(t => t.FullName), Samples.Select(s => s.GetType()).OrderBy(t => t.FullName));

    [Fact]
    public void the_json_of_every_event_type_matches_its_snapshot()
    {
        // Snapshooter compares Json.NET trees; the stored bytes are what System.Text.Json wrote.
        var json = new Newtonsoft.Json.Linq.JObject(Samples.Select(e => new Newtonsoft.Json.Linq.JProperty(EventTypes.NameOf(e.GetType()),
            Newtonsoft.Json.Linq.JToken.Parse(System.Text.Encoding.UTF8.GetString(EventSerializer.ToEventData(e, EventMetadata.Empty).Data.Span)))));

        Snapshot.Match(json);
    }

    [Fact]
    public void every_sample_reads_back_as_the_same_event()
    {
        foreach (var sample in Samples)
        {
            var data = EventSerializer.ToEventData(sample, EventMetadata.Empty);
            var recorded = new RecordedEvent("s", 0, 1, data.EventId, data.Type, data.Data, "{}"u8.ToArray(), At);

            var back = EventSerializer.Deserialize(recorded)!;

            Assert.Equal(JsonSerializer.Serialize(sample, sample.GetType()), JsonSerializer.Serialize(back, back.GetType()));
        }
    }

    [Fact]
    public void the_domain_references_no_package_and_the_application_no_database()
    {
        var domain = typeof(EventTypes).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.All(domain, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard", $"the domain must not reference {name}"));

        var application = typeof(OmsCommand).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(application, name => name.Contains("Npgsql", StringComparison.Ordinal) || name.Contains("Sqlite", StringComparison.Ordinal)
            || name.Contains("EventStore.Postgres", StringComparison.Ordinal));
    }
}
