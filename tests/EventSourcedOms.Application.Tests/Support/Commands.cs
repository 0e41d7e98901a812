using EventSourcedOms.Application.Inventory.ReceiveStock;
using EventSourcedOms.Application.Locations.DefineLocation;
using EventSourcedOms.Application.Orders.ImportChannelOrder;
using EventSourcedOms.Application.Orders.PlaceOrder;
using EventSourcedOms.Domain.Locations;
using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Application.Tests.Support;

/// <summary>Valid commands with only the parts a test cares about spelled out.</summary>
public static class Commands
{
    public static readonly Address Berlin = new("Ada Lovelace", "Unter den Linden 1", null, "Berlin", "BE", "10117", "DE");

    public static DefineLocation Warehouse(string id, int priority, bool ships = true) => new(id, $"Warehouse {id}", LocationKinds.Warehouse, priority, ships);

    public static ReceiveStock Receive(string sku, string location, int quantity) => new(sku, location, quantity, "PO-1");

    /// <summary>Lines as (sku, quantity) pairs, numbered 1, 2, …</summary>
    public static PlaceOrder Place(string policy, params (string Sku, int Quantity)[] lines) =>
        new("web", null, "cust-1", Berlin, "EUR", "standard", null,
            [.. lines.Select((l, i) => new PlacedLine(i + 1, l.Sku, l.Quantity, 9.99m))], policy);

    public static ImportChannelOrder Import(string externalReference, DateTimeOffset placedAt, params (string Sku, int Quantity)[] lines) =>
        new("marketplace:amazon", externalReference, placedAt, "cust-2", Berlin, "EUR", "express", null,
            [.. lines.Select((l, i) => new PlacedLine(i + 1, l.Sku, l.Quantity, 19.5m))]);
}
