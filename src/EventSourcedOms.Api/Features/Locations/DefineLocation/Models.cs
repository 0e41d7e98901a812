namespace EventSourcedOms.Api.Features.Locations.DefineLocation;

/// <summary>A warehouse or store: <c>kind</c> is <c>warehouse</c> or <c>store</c>; lower <c>priority</c> is preferred by
/// routing; <c>ships</c> says whether orders may be fulfilled from it. Defining an existing id changes it.</summary>
public sealed record Request(string LocationId, string Name, string Kind, int Priority, bool Ships);
