using System.Text.Json;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Locations;
using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Domain;

/// <summary>
/// The one registry of stable event type names. A name never changes meaning: a new shape gets a new version
/// (<c>OrderPlaced.v2</c>) and the old one stays readable.
/// </summary>
public static class EventTypes
{
    static readonly (Type Type, string Name)[] All =
    [
        (typeof(OrderEvents.OrderPlaced), "OrderPlaced.v1"),
        (typeof(OrderEvents.OrderStockAllocated), "OrderStockAllocated.v1"),
        (typeof(OrderEvents.OrderLinesBackordered), "OrderLinesBackordered.v1"),
        (typeof(OrderEvents.OrderHeld), "OrderHeld.v1"),
        (typeof(OrderEvents.OrderReleased), "OrderReleased.v1"),
        (typeof(OrderEvents.OrderQuantitiesCancelled), "OrderQuantitiesCancelled.v1"),
        (typeof(OrderEvents.PickingStarted), "PickingStarted.v1"),
        (typeof(OrderEvents.OrderItemsPicked), "OrderItemsPicked.v1"),
        (typeof(OrderEvents.OrderPacked), "OrderPacked.v1"),
        (typeof(OrderEvents.OrderShipped), "OrderShipped.v1"),
        (typeof(OrderEvents.ShipmentDelivered), "ShipmentDelivered.v1"),
        (typeof(StockEvents.StockReceived), "StockReceived.v1"),
        (typeof(StockEvents.StockAdjusted), "StockAdjusted.v1"),
        (typeof(StockEvents.SafetyStockSet), "SafetyStockSet.v1"),
        (typeof(StockEvents.StockReserved), "StockReserved.v1"),
        (typeof(StockEvents.StockReservationReleased), "StockReservationReleased.v1"),
        (typeof(StockEvents.StockShipped), "StockShipped.v1"),
        (typeof(BackorderEvents.BackorderQueued), "BackorderQueued.v1"),
        (typeof(BackorderEvents.BackorderFilled), "BackorderFilled.v1"),
        (typeof(BackorderEvents.BackorderWithdrawn), "BackorderWithdrawn.v1"),
        (typeof(LocationEvents.LocationDefined), "LocationDefined.v1"),
    ];

    static readonly Dictionary<Type, string> NameByType = All.ToDictionary(x => x.Type, x => x.Name);
    static readonly Dictionary<string, Type> TypeByName = All.ToDictionary(x => x.Name, x => x.Type);

    public static IEnumerable<(Type Type, string Name)> Registered => All;

    public static string NameOf(Type type) =>
        NameByType.TryGetValue(type, out var name) ? name : throw new InvalidOperationException($"{type.Name} is not a registered event type.");

    public static Type? TypeOf(string name) => TypeByName.GetValueOrDefault(name);

    /// <summary>How events are written and read: System.Text.Json, web defaults (camelCase).</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>The event of a registered type from its stored JSON, or null for a type this version does not know.</summary>
    public static object? Deserialize(string name, ReadOnlySpan<byte> json) =>
        TypeOf(name) is { } type ? JsonSerializer.Deserialize(json, type, Json) : null;
}
