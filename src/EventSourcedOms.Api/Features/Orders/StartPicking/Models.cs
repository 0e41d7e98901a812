namespace EventSourcedOms.Api.Features.Orders.StartPicking;

/// <summary>Optional location; every location of the order when left out.</summary>
public sealed record Request(string Id, string? Location);
