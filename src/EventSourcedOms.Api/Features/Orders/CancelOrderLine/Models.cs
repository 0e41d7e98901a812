namespace EventSourcedOms.Api.Features.Orders.CancelOrderLine;

/// <summary>How many units of the line to cancel, and why.</summary>
public sealed record Request(string Id, int LineNo, int Quantity, string Reason);
