using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.FulfilmentQueue;

/// <summary>
/// <c>fulfilment_queue</c>: per order and location, the reserved units still to pick, to pack and to ship, since when
/// the order waits (its placement), its promised ship-by date and whether it is on hold. Rewritten from the order's
/// folded state after each of its events; rows without work left are deleted.
/// Two pre-aggregated tables follow the rows in the same transaction, for the per-location summary:
/// <c>fulfilment_queue_locations</c> (rows, orders and units per stage, on hold) and <c>fulfilment_queue_ship_by</c>
/// (rows per location and promised ship-by hour, so that breaches are counted by hour, not by row).
/// </summary>
public sealed class FulfilmentQueueProjection : IProjection
{
    public string Name => "fulfilment_queue";
    public string Folder => "FulfilmentQueue";
    public EventFilter Filter { get; } = EventFilter.StreamPrefix(Streams.OrderPrefix);
    public IReadOnlyList<(string Table, string Key)> Tables { get; } =
        [("fulfilment_queue", "order_id, location"), ("fulfilment_queue_locations", "location"), ("fulfilment_queue_ship_by", "location, hour")];

    public async Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct)
    {
        var order = await batch.States.OrderAsync(recorded, @event, ct);
        var pending = batch.Pending<Pending>();
        foreach (var g in order.Lines.SelectMany(l => l.Allocations).GroupBy(a => a.Location))
        {
            var row = new QueueRow
            {
                OrderId = order.OrderId,
                Location = g.Key,
                ToPick = g.Sum(a => a.Allocated - a.Picked),
                ToPack = g.Sum(a => a.Picked - a.Packed),
                ToShip = g.Sum(a => a.Packed - a.Shipped),
                // In UTC: SQLite compares the stored text with the query's UTC "now".
                WaitingSince = order.PlacedAt.ToUniversalTime(),
                PromisedShipBy = order.PromisedShipBy?.ToUniversalTime(),
                OnHold = order.Hold is null ? 0 : 1,
                LastPosition = recorded.Position,
            };
            pending.Rows[(order.OrderId, g.Key)] = (row, Open: row.ToPick + row.ToPack + row.ToShip > 0);
        }
    }

    /// <summary>The start of the hour of a promised ship-by date: the ship-by counters' bucket.</summary>
    internal static DateTimeOffset Hour(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);

    internal sealed record QueueRow
    {
        public required string OrderId { get; init; }
        public required string Location { get; init; }
        public int ToPick { get; init; }
        public int ToPack { get; init; }
        public int ToShip { get; init; }
        public DateTimeOffset WaitingSince { get; init; }
        public DateTimeOffset? PromisedShipBy { get; init; }
        public int OnHold { get; init; }
        public long LastPosition { get; init; }
    }

    sealed class Pending : IPendingWrites
    {
        static readonly BatchTable<QueueRow> Table = new("fulfilment_queue", "order_id, location");
        static readonly CounterTable Locations = new("fulfilment_queue_locations", "location",
            "entries, orders_to_pick, units_to_pick, orders_to_pack, units_to_pack, orders_to_ship, units_to_ship, on_hold");
        static readonly CounterTable ShipBy = new("fulfilment_queue_ship_by", "location, hour", "entries");

        /// <summary>Each (order, location) row as of the batch's last event for it; not open: its work is done and it goes.</summary>
        public Dictionary<(string, string), (QueueRow Row, bool Open)> Rows { get; } = [];

        public async Task FlushAsync(ProjectionBatch batch, CancellationToken ct)
        {
            if (Rows.Count == 0) return;
            var stored = (await Table.ReadAsync(batch, [.. Rows.Values.Select(r => r.Row)])).ToDictionary(r => (r.OrderId, r.Location));
            var locations = Locations.Start();
            var shipBy = ShipBy.Start();
            void Count(int sign, QueueRow r)
            {
                locations.Add(sign, [r.Location], 1, r.ToPick > 0 ? 1 : 0, r.ToPick, r.ToPack > 0 ? 1 : 0, r.ToPack, r.ToShip > 0 ? 1 : 0, r.ToShip, r.OnHold);
                if (r.PromisedShipBy is { } promised) shipBy.Add(sign, [r.Location, Hour(promised)], 1);
            }
            var upserts = new List<QueueRow>();
            var deletes = new List<QueueRow>();
            foreach (var (key, (row, open)) in Rows)
            {
                var old = stored.GetValueOrDefault(key);
                if (old is not null && old.LastPosition >= row.LastPosition) continue;  // the row already holds a later event (a replay)
                if (old is not null)
                {
                    Count(-1, old);
                    if (!open) deletes.Add(old);
                }
                if (open)
                {
                    Count(+1, row);
                    upserts.Add(row);
                }
            }
            await Table.UpsertAsync(batch, upserts);
            await Table.DeleteAsync(batch, deletes);
            await locations.FlushAsync(batch);
            await shipBy.FlushAsync(batch);
        }
    }
}
