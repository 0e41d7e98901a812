using Dapper;
using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.FulfilmentQueue;

/// <summary>
/// <c>fulfilment_queue</c>: per order and location, the reserved units still to pick, to pack and to ship, since when
/// the order waits (its placement), its promised ship-by date and whether it is on hold. Rewritten from the order's
/// folded state after each of its events; rows without work left are deleted.
/// </summary>
public sealed class FulfilmentQueueProjection : IProjection
{
    public string Name => "fulfilment_queue";
    public string Folder => "FulfilmentQueue";
    public EventFilter Filter { get; } = EventFilter.StreamPrefix(Streams.OrderPrefix);
    public IReadOnlyList<(string Table, string Key)> Tables { get; } = [("fulfilment_queue", "order_id, location")];

    public async Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct)
    {
        var order = await batch.States.OrderAsync(recorded, @event, ct);
        var work = order.Lines.SelectMany(l => l.Allocations)
            .GroupBy(a => a.Location)
            .Select(g => new
            {
                order.OrderId,
                Location = g.Key,
                ToPick = g.Sum(a => a.Allocated - a.Picked),
                ToPack = g.Sum(a => a.Picked - a.Packed),
                ToShip = g.Sum(a => a.Packed - a.Shipped),
                WaitingSince = order.PlacedAt,
                order.PromisedShipBy,
                OnHold = order.Hold is null ? 0 : 1,
                recorded.Position,
            })
            .ToList();
        var open = work.Where(w => w.ToPick + w.ToPack + w.ToShip > 0).ToList();
        await batch.Connection.ExecuteAsync(
            """
            insert into fulfilment_queue (order_id, location, to_pick, to_pack, to_ship, waiting_since, promised_ship_by, on_hold, last_position)
            values (@OrderId, @Location, @ToPick, @ToPack, @ToShip, @WaitingSince, @PromisedShipBy, @OnHold, @Position)
            on conflict (order_id, location) do update set
              to_pick = excluded.to_pick, to_pack = excluded.to_pack, to_ship = excluded.to_ship, on_hold = excluded.on_hold,
              last_position = excluded.last_position
            where fulfilment_queue.last_position < excluded.last_position
            """, open, batch.Transaction);
        await batch.Connection.ExecuteAsync(
            "delete from fulfilment_queue where order_id = @OrderId and location = @Location and last_position < @Position",
            work.Except(open), batch.Transaction);
    }
}
