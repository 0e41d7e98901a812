using System.Collections.Immutable;

namespace EventSourcedOms.Domain.Locations;

/// <summary>Events of the location catalogue (one stream, <c>locations</c>): warehouses and stores.</summary>
public static class LocationEvents
{
    /// <summary>Defines or redefines a location. Lower <see cref="Priority"/> is preferred by routing.</summary>
    public sealed record LocationDefined(string LocationId, string Name, string Kind, int Priority, bool Ships, DateTimeOffset DefinedAt);
}

public static class LocationKinds
{
    public const string Warehouse = "warehouse", Store = "store";

    public static IReadOnlyList<string> All { get; } = [Warehouse, Store];
}

public sealed record Location(string LocationId, string Name, string Kind, int Priority, bool Ships);

public sealed record LocationCatalog
{
    public static LocationCatalog Initial { get; } = new();

    public ImmutableDictionary<string, Location> ById { get; init; } = ImmutableDictionary<string, Location>.Empty;

    /// <summary>Locations that ship, in routing order: priority, then id (so ties are deterministic).</summary>
    public IReadOnlyList<Location> ShippingInRoutingOrder =>
        [.. ById.Values.Where(l => l.Ships).OrderBy(l => l.Priority).ThenBy(l => l.LocationId, StringComparer.Ordinal)];

    public LocationCatalog When(object @event) => @event switch
    {
        LocationEvents.LocationDefined e => this with { ById = ById.SetItem(e.LocationId, new(e.LocationId, e.Name, e.Kind, e.Priority, e.Ships)) },
        _ => this,
    };

    /// <summary>Defining a location exactly as it is already defined writes nothing.</summary>
    public static IReadOnlyList<object> Define(LocationCatalog catalog, Location location, DateTimeOffset at) =>
        catalog.ById.TryGetValue(location.LocationId, out var existing) && existing == location
            ? []
            : [new LocationEvents.LocationDefined(location.LocationId, location.Name, location.Kind, location.Priority, location.Ships, at)];

    public Location Require(string locationId) => ById.TryGetValue(locationId, out var location)
        ? location
        : throw new DomainException(ErrorCodes.UnknownLocation, $"Location {locationId} is not defined.");
}
