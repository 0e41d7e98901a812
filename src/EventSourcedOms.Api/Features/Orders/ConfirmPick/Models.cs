using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Api.Features.Orders.ConfirmPick;

/// <summary>Units picked per line at a location.</summary>
public sealed record Request(string Id, string Location, IReadOnlyList<LineQuantity> Lines);
