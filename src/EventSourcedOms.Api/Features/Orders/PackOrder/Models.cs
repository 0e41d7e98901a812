using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Api.Features.Orders.PackOrder;

/// <summary>Packages (id, weight in grams, units per line) packed at a location.</summary>
public sealed record Request(string Id, string Location, IReadOnlyList<Package> Packages);
