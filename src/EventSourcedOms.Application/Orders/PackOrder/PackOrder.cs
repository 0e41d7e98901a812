using EventSourcedOms.Domain.Orders;
using Mediator;

namespace EventSourcedOms.Application.Orders.PackOrder;

/// <summary>Picked units put into packages (each with its weight) at a location.</summary>
public sealed record PackOrder(string OrderId, string Location, IReadOnlyList<Package> Packages) : OmsCommand, IValidatable
{
    public void Validate(Validator v)
    {
        v.Id(OrderId, "orderId").Id(Location, "location");
        if (Packages is null || Packages.Count == 0) { v.Error("packages", "must have at least one package"); return; }
        v.Require(Packages.Count <= 100, "packages", "must have at most 100 packages");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Packages.Count; i++)
        {
            var p = Packages[i];
            if (p is null) { v.Error($"packages[{i}]", "is required"); continue; }
            v.Id(p.PackageId, $"packages[{i}].packageId")
             .Require(p.PackageId is null || ids.Add(p.PackageId), $"packages[{i}].packageId", "is used by another package")
             .Require(p.WeightGrams is > 0 and <= 1_000_000, $"packages[{i}].weightGrams", "must be between 1 and 1000000");
            LineQuantities.Validate(p.Lines, $"packages[{i}].lines", v);
        }
    }
}

public sealed class PackOrderHandler(Sessions.SessionFactory sessions) : ICommandHandler<PackOrder, CommandResult>
{
    public async ValueTask<CommandResult> Handle(PackOrder command, CancellationToken ct) =>
        await OrderCommands.DecideAsync(sessions, command, command.OrderId, (s, at) => Order.Pack(s, command.Location, command.Packages, at), null, ct);
}
