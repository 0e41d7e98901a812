using System.Security.Cryptography;
using System.Text;
using EventSourcedOms.Domain.Orders;
using Mediator;

namespace EventSourcedOms.Application.Orders.ImportChannelOrder;

/// <summary>
/// An order taken by a channel (marketplace, POS, B2B portal) with its own <see cref="PlacedAt"/>. The order id is
/// derived from channel + external reference, so the same channel order sent twice (or by two racing importers)
/// yields one order: the second import returns the first with <see cref="CommandResult.Created"/> false.
/// </summary>
public sealed record ImportChannelOrder(
    string Channel, string ExternalReference, DateTimeOffset PlacedAt, string CustomerId, Address ShipTo, string Currency,
    string ServiceLevel, DateTimeOffset? PromisedShipBy, IReadOnlyList<PlacedLine> Lines,
    string BackorderPolicy = BackorderPolicies.Backorder) : OmsCommand, IOrderInput, IValidatable
{
    string? IOrderInput.ExternalReference => ExternalReference;

    public void Validate(Validator v)
    {
        OrderPlacement.Validate(this, v);
        v.Text(ExternalReference, "externalReference", max: 100);
        v.Time(PlacedAt, "placedAt");
    }

    /// <summary>The order id of a channel order: a hash of channel and external reference, the same on every node.</summary>
    public static string OrderIdFor(string channel, string externalReference) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{channel}\n{externalReference}")).AsSpan(0, 16));
}

public sealed class ImportChannelOrderHandler(PlacementBatcher placement) : ICommandHandler<ImportChannelOrder, CommandResult>
{
    public async ValueTask<CommandResult> Handle(ImportChannelOrder command, CancellationToken ct)
    {
        var orderId = ImportChannelOrder.OrderIdFor(command.Channel, command.ExternalReference);
        return await placement.PlaceAsync(command, OrderPlacement.ToEvent(command, orderId, command.PlacedAt, imported: true), PlacementBatcher.Mode.ReturnExisting);
    }
}
