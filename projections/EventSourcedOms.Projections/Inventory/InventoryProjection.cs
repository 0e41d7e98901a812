using System.Data.Common;
using Dapper;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
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
                Available = stock.AvailableToPromise, LastMovementAt = stock.LastMovementAt, LastPosition = recorded.Position, LastRevision = recorded.Revision,
            };
            return;
        }

        var queue = await batch.States.BackordersAsync(recorded, @event, ct);
        var sku = recorded.Stream[Streams.BackorderPrefix.Length..];
        pending.Backorders[sku] = new BackorderRow { Sku = sku, BackorderedUnits = queue.Demand, WaitingLines = queue.Entries.Count, LastPosition = recorded.Position };
    }

    /// <summary>Rows of a database created before <c>last_revision</c> existed read -1 until their next movement (or a rebuild).</summary>
    public IReadOnlyList<(string Table, string Column, string Definition)> AddedColumns { get; } = [("inventory_levels", "last_revision", "bigint not null default -1")];

    /// <summary>
    /// A row is the whole state of its stock stream at <c>last_revision</c>: the most recently moved rows (as many as the
    /// cache keeps) seed the stock states, so a restarted projection folds on from its rows instead of reading every
    /// stock stream back from the store (hundreds of events each since its last snapshot).
    /// </summary>
    public async Task WarmAsync(DbConnection connection, StreamStates states, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<LevelRow>(new CommandDefinition($"""
            select {InventoryQueries.Columns}, last_revision as {nameof(LevelRow.LastRevision)}
              from inventory_levels where last_revision >= 0 order by last_position desc limit @limit
            """, new { limit = states.Capacity }, cancellationToken: ct));
        foreach (var row in rows)
            states.Seed(Streams.Stock(row.Sku, row.Location), row.LastRevision, new StockState
            {
                Sku = row.Sku, Location = row.Location, OnHand = row.OnHand, Reserved = row.Reserved, SafetyStock = row.SafetyStock, LastMovementAt = row.LastMovementAt,
            });
    }

    /// <summary>An <c>inventory_levels</c> row as the projector writes it: what queries read, plus the stream position and revision it is at.</summary>
    sealed record LevelRow : InventoryLevel
    {
        public long LastPosition { get; init; }
        public long LastRevision { get; init; }
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
