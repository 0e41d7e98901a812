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
        var pending = batch.Pending<Pending>();
        if (recorded.Stream.StartsWith(Streams.StockPrefix, StringComparison.Ordinal))
        {
            var stock = await batch.States.StockAsync(recorded, @event, ct);
            pending.Levels[(stock.Sku, stock.Location)] = new LevelRow
            {
                Sku = stock.Sku, Location = stock.Location, OnHand = stock.OnHand, Reserved = stock.Reserved, SafetyStock = stock.SafetyStock,
                Available = stock.AvailableToPromise, LastMovementAt = stock.LastMovementAt, LastPosition = recorded.Position,
            };
            return;
        }

        var queue = await batch.States.BackordersAsync(recorded, @event, ct);
        var sku = recorded.Stream[Streams.BackorderPrefix.Length..];
        pending.Backorders[sku] = new BackorderRow { Sku = sku, BackorderedUnits = queue.Demand, WaitingLines = queue.Entries.Count, LastPosition = recorded.Position };
    }

    /// <summary>An <c>inventory_levels</c> row as the projector writes it: what queries read, plus its position.</summary>
    sealed record LevelRow : InventoryLevel
    {
        public long LastPosition { get; init; }
    }

    sealed record BackorderRow
    {
        public required string Sku { get; init; }
        public int BackorderedUnits { get; init; }
        public int WaitingLines { get; init; }
        public long LastPosition { get; init; }
    }

    sealed class Pending : IPendingWrites
    {
        static readonly BatchTable<LevelRow> LevelTable = new("inventory_levels", "sku, location");
        static readonly BatchTable<BackorderRow> BackorderTable = new("inventory_backorders", "sku");

        public Dictionary<(string, string), LevelRow> Levels { get; } = [];
        public Dictionary<string, BackorderRow> Backorders { get; } = new(StringComparer.Ordinal);

        public async Task FlushAsync(ProjectionBatch batch, CancellationToken ct)
        {
            await LevelTable.UpsertAsync(batch, Levels.Values);
            await BackorderTable.UpsertAsync(batch, Backorders.Values);
        }
    }
}
