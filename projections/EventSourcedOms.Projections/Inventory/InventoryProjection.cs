using Dapper;
using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.Inventory;

/// <summary>
/// <c>inventory_levels</c> (per SKU per location: on hand, reserved, safety stock, available to promise, last
/// movement) from stock streams, and <c>inventory_backorders</c> (backordered demand per SKU) from backorder queues.
/// </summary>
public sealed class InventoryProjection : IProjection
{
    public string Name => "inventory";
    public string Folder => "Inventory";
    public EventFilter Filter { get; } = EventFilter.StreamPrefix(Streams.StockPrefix, Streams.BackorderPrefix);
    public IReadOnlyList<(string Table, string Key)> Tables { get; } = [("inventory_levels", "sku, location"), ("inventory_backorders", "sku")];

    public async Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct)
    {
        if (recorded.Stream.StartsWith(Streams.StockPrefix, StringComparison.Ordinal))
        {
            var stock = await batch.States.StockAsync(recorded, @event, ct);
            await batch.Connection.ExecuteAsync(
                """
                insert into inventory_levels (sku, location, on_hand, reserved, safety_stock, available, last_movement_at, last_position)
                values (@Sku, @Location, @OnHand, @Reserved, @SafetyStock, @AvailableToPromise, @LastMovementAt, @Position)
                on conflict (sku, location) do update set
                  on_hand = excluded.on_hand, reserved = excluded.reserved, safety_stock = excluded.safety_stock, available = excluded.available,
                  last_movement_at = excluded.last_movement_at, last_position = excluded.last_position
                where inventory_levels.last_position < excluded.last_position
                """,
                new { stock.Sku, stock.Location, stock.OnHand, stock.Reserved, stock.SafetyStock, stock.AvailableToPromise, stock.LastMovementAt, recorded.Position },
                batch.Transaction);
            return;
        }

        var queue = await batch.States.BackordersAsync(recorded, @event, ct);
        await batch.Connection.ExecuteAsync(
            """
            insert into inventory_backorders (sku, backordered_units, waiting_lines, last_position) values (@Sku, @Units, @Lines, @Position)
            on conflict (sku) do update set
              backordered_units = excluded.backordered_units, waiting_lines = excluded.waiting_lines, last_position = excluded.last_position
            where inventory_backorders.last_position < excluded.last_position
            """,
            new { Sku = recorded.Stream[Streams.BackorderPrefix.Length..], Units = queue.Demand, Lines = queue.Entries.Count, recorded.Position },
            batch.Transaction);
    }
}
