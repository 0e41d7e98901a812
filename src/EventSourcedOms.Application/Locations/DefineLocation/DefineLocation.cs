using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Locations;
using Mediator;

namespace EventSourcedOms.Application.Locations.DefineLocation;

/// <summary>Defines a warehouse or store, or changes its name, priority (lower is preferred) or whether it ships.</summary>
public sealed record DefineLocation(string LocationId, string Name, string Kind, int Priority, bool Ships) : OmsCommand, IValidatable
{
    public void Validate(Validator v) => v
        .Id(LocationId, "locationId")
        .Text(Name, "name")
        .OneOf(Kind, [.. LocationKinds.All], "kind")
        .Require(Priority is >= 0 and <= 10_000, "priority", "must be between 0 and 10000");
}

public sealed class DefineLocationHandler(SessionFactory sessions) : ICommandHandler<DefineLocation, CommandResult>
{
    public async ValueTask<CommandResult> Handle(DefineLocation command, CancellationToken ct)
    {
        await using var session = sessions.Open();
        await session.LockAsync([Streams.Locations], ct);
        var catalog = await session.Locations(ct);
        catalog.Apply(LocationCatalog.Define(catalog.State, new Location(command.LocationId, command.Name, command.Kind, command.Priority, command.Ships), session.Now));
        return await session.CommitAsync(command, catalog, command.LocationId, session.Now, null, ct);
    }
}
