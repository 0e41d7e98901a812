using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Orders;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Application.Orders;

/// <summary>
/// Serialises order placement per set of SKUs and commits concurrent placements together. Orders for the same SKUs
/// join one lane; one drain loop per lane takes everything waiting, locks the SKUs' stock streams, decides the orders
/// one after another against the same in-memory stock (so they can never promise the same unit twice) and commits
/// them in one atomic append, each with its own events, metadata and idempotency record. A hot SKU thus costs one
/// commit per batch instead of one conflict-prone commit per order.
///
/// A rejected order (short stock, existing id) is answered at once and left out of the commit. If the commit fails
/// (another process changed a stock stream, an outage, a racing copy of a request), its members are re-run one by
/// one, so each gets its own outcome and its pipeline (retry, idempotency) handles it as if it had run alone.
/// </summary>
public sealed class PlacementBatcher(SessionFactory sessions)
{
    /// <summary>Upper bound of events in one batch, well below the store's per-append limit (1,000 by default).</summary>
    public const int MaxEventsPerBatch = 500;

    public enum Mode
    {
        /// <summary>A freshly generated id: no read needed, the append expects no stream.</summary>
        New,
        /// <summary>A caller-chosen id: an existing order is a rejection (<c>order-already-exists</c>).</summary>
        RejectExisting,
        /// <summary>A channel order: an existing order is the answer (created: false).</summary>
        ReturnExisting,
    }

    sealed record Item(OmsCommand Command, RequestScope? Request, OrderPlaced Placed, Mode Mode, TaskCompletionSource<CommandResult> Done)
    {
        // OrderPlaced + allocation + backorder events, a reservation per line and location, a queue entry per line, the request record.
        public int EventBound(int locations) => 4 + Placed.Lines.Count * (locations + 1);
    }

    sealed class Lane
    {
        public readonly List<Item> Waiting = [];
        public bool Draining;
    }

    readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    public Task<CommandResult> PlaceAsync(OmsCommand command, OrderPlaced placed, Mode mode)
    {
        var request = RequestScope.Current is { } r && r.RequestId == command.RequestId ? r : null;
        var item = new Item(command, request, placed, mode, new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        var key = string.Join('\n', placed.Lines.Select(l => l.Sku).Distinct().Order(StringComparer.Ordinal));
        Lane? lead = null;
        lock (_lanes)
        {
            if (!_lanes.TryGetValue(key, out var lane)) _lanes[key] = lane = new Lane();
            lane.Waiting.Add(item);
            if (!lane.Draining) (lane.Draining, lead) = (true, lane);
        }
        if (lead is not null)
        {
            // The drain loop serves other callers too: it must not run on (nor carry the ambient request of) this one.
            using (ExecutionContext.SuppressFlow()) _ = Task.Run(() => DrainAsync(key, lead));
        }
        return item.Done.Task;
    }

    async Task DrainAsync(string key, Lane lane)
    {
        while (true)
        {
            List<Item> batch;
            lock (_lanes)
            {
                if (lane.Waiting.Count == 0)
                {
                    lane.Draining = false;
                    _lanes.Remove(key);
                    return;
                }
                batch = Take(lane.Waiting);
            }
            try
            {
                await RunAsync(batch);
            }
            catch (Exception e)
            {
                foreach (var item in batch) item.Done.TrySetException(e);
            }
        }
    }

    // Takes waiting items up to the event bound; an order id or request id appears at most once per batch (a racing
    // duplicate waits for the next batch, where it finds the first one's outcome).
    static List<Item> Take(List<Item> waiting)
    {
        var batch = new List<Item>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var requests = new HashSet<string>(StringComparer.Ordinal);
        var events = 0;
        for (var i = 0; i < waiting.Count;)
        {
            var item = waiting[i];
            var bound = item.EventBound(locations: 8);
            if (batch.Count > 0 && events + bound > MaxEventsPerBatch) break;
            if (ids.Contains(item.Placed.OrderId) || (item.Command.RequestId is { } rid && requests.Contains(rid))) { i++; continue; }
            ids.Add(item.Placed.OrderId);
            if (item.Command.RequestId is { } requestId) requests.Add(requestId);
            batch.Add(item);
            events += bound;
            waiting.RemoveAt(i);
        }
        return batch;
    }

    async Task RunAsync(List<Item> batch)
    {
        var members = new List<(Item Item, Session.BatchMember Member)>();
        try
        {
            await using var session = sessions.Open();
            var routing = (await session.Locations(CancellationToken.None)).State.ShippingInRoutingOrder;
            var skus = batch.SelectMany(i => i.Placed.Lines).Select(l => l.Sku).Distinct().Order(StringComparer.Ordinal).ToList();
            await session.LockAsync(OrderPlacement.LockedStreams(skus, routing), CancellationToken.None);
            var stock = new Dictionary<(string Sku, string Location), Loaded<StockState>>();
            foreach (var sku in skus)
                foreach (var location in routing)
                    stock[(sku, location.LocationId)] = await session.Stock(sku, location.LocationId, CancellationToken.None);

            foreach (var item in batch)
            {
                var placed = item.Placed;
                var order = item.Mode == Mode.New ? session.NewOrder(placed.OrderId) : await session.Order(placed.OrderId, CancellationToken.None);
                if (order.Exists && item.Mode == Mode.ReturnExisting)
                {
                    item.Done.TrySetResult(new CommandResult(placed.OrderId, order.Stream, order.Revision, order.Position, order.State.Status.ToCode(), Created: false));
                    continue;
                }
                session.Cause(item.Command, placed.PlacedAt);
                try
                {
                    await OrderPlacement.DecideAsync(session, order, placed, routing, stock, CancellationToken.None);
                }
                catch (DomainException e)
                {
                    item.Done.TrySetException(e);
                    continue;
                }
                var result = new CommandResult(placed.OrderId, order.Stream, order.Revision + order.Pending.Count, 0, order.State.Status.ToCode());
                members.Add((item, new Session.BatchMember(item.Command, item.Request, result, placed.PlacedAt)));
            }
            if (members.Count == 0) return;

            var results = await session.CommitBatchAsync([.. members.Select(m => m.Member)], CancellationToken.None);
            for (var i = 0; i < members.Count; i++) members[i].Item.Done.TrySetResult(results[i]);
        }
        catch (Exception) when (members.Count > 1)
        {
            // The commit failed as a whole; give each member its own outcome by running it alone.
            foreach (var (item, _) in members) await RunAloneAsync(item);
        }
        catch (Exception e)
        {
            foreach (var item in batch) item.Done.TrySetException(e);
        }
    }

    async Task RunAloneAsync(Item item)
    {
        try
        {
            await RunAsync([item]);
        }
        catch (Exception e)
        {
            item.Done.TrySetException(e);
        }
    }
}
