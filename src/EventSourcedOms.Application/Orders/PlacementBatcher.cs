using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Application.Orders;

/// <summary>
/// Commits concurrent placements together (group commit). Orders wait in one queue; a few drain loops each take
/// what is waiting, lock the stock streams of all its SKUs (all at once, sorted: loops never deadlock, and loops
/// whose SKUs overlap take turns), decide the orders one after another against the same in-memory stock (so they can
/// never promise the same unit twice) and commit them in one atomic append, each with its own events, metadata and
/// idempotency record. A hot SKU costs one commit per batch instead of one conflict-prone commit per order, and
/// orders over many SKUs share the cost of a commit.
///
/// A rejected order (short stock, existing id) is left out of the commit and answered once the commit has succeeded
/// (its rejection was decided against the batch's state). If another process changed a stock stream meanwhile, the
/// batch is decided again on fresh state; any other failure (an outage, a racing copy of a request) re-runs its
/// orders one by one, so each gets its own outcome and its pipeline (retry, idempotency) handles it as if alone.
/// </summary>
public sealed class PlacementBatcher(SessionFactory sessions)
{
    /// <summary>
    /// Upper bound of events in one batch, below the store's per-append limit (2,000 by default). Orders are counted at
    /// their worst case (<see cref="Item.EventBound"/>: 10 events for two lines and two locations, ~5 in practice), so
    /// at 800 a batch held 80 such orders: with SQLite, the projections in the same process and a 1M-event store, a
    /// commit took ~0.1 s and the store acknowledged 839–840 of 1,000 orders/s while the rest queued (issue → answer
    /// p50 2.5 s); at 1,600, 976 of 1,000. Batches only grow this large when orders wait: below the store's capacity
    /// they hold what arrived during the previous commit. A store configured with a lower limit lowers it.
    /// </summary>
    public const int MaxEventsPerBatch = 1_600;

    readonly int _maxEvents = Math.Min(MaxEventsPerBatch, (sessions.Store as EventStoreBase)?.Limits.MaxEventsPerAppend ?? MaxEventsPerBatch);

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

    readonly List<Item> _waiting = [];
    int _drainers;
    // Shipping locations seen by the last batch: what one order line can reserve from at most.
    int _locations = 2;

    /// <summary>Placements waiting beyond this are refused at once (<see cref="ServiceOverloadedException"/>, HTTP 503) instead of queueing without end.</summary>
    public int MaxWaiting { get; init; } = 10_000;

    /// <summary>Commits in flight at once. Two keep the database busy while the next batch is decided; more only add lock contention on 2 cores.</summary>
    public int MaxConcurrentCommits { get; init; } = Math.Max(2, Environment.ProcessorCount);

    public Task<CommandResult> PlaceAsync(OmsCommand command, OrderPlaced placed, Mode mode)
    {
        var request = RequestScope.Current is { } r && r.RequestId == command.RequestId ? r : null;
        var item = new Item(command, request, placed, mode, new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        var start = false;
        lock (_waiting)
        {
            if (_waiting.Count >= MaxWaiting)
                throw new ServiceOverloadedException($"{_waiting.Count} orders are already waiting to be placed; retry shortly.");
            _waiting.Add(item);
            if (_drainers < MaxConcurrentCommits) (_drainers, start) = (_drainers + 1, true);
        }
        if (start)
        {
            // The drain loop serves other callers too: it must not run on (nor carry the ambient request of) this one.
            using (ExecutionContext.SuppressFlow()) _ = Task.Run(DrainAsync);
        }
        return item.Done.Task;
    }

    async Task DrainAsync()
    {
        while (true)
        {
            List<Item> batch;
            lock (_waiting)
            {
                if (_waiting.Count == 0)
                {
                    _drainers--;
                    return;
                }
                batch = Take(_waiting, _locations, _maxEvents);
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
    static List<Item> Take(List<Item> waiting, int locations, int maxEvents)
    {
        var batch = new List<Item>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var requests = new HashSet<string>(StringComparer.Ordinal);
        var events = 0;
        for (var i = 0; i < waiting.Count;)
        {
            var item = waiting[i];
            var bound = item.EventBound(locations);
            if (batch.Count > 0 && events + bound > maxEvents) break;
            if (ids.Contains(item.Placed.OrderId) || (item.Command.RequestId is { } rid && requests.Contains(rid))) { i++; continue; }
            ids.Add(item.Placed.OrderId);
            if (item.Command.RequestId is { } requestId) requests.Add(requestId);
            batch.Add(item);
            events += bound;
            waiting.RemoveAt(i);
        }
        return batch;
    }

    const int MaxBatchAttempts = 8;

    // A batch whose commit lost a race on a shared stream (another process wrote to a stock stream or queue) is decided
    // again as a whole on fresh state; any other failure, or too many lost races, splits it into single orders.
    async Task RunAsync(List<Item> batch)
    {
        var verify = false;
        for (var attempt = 1; ; attempt++)
        {
            var pending = batch.Where(i => !i.Done.Task.IsCompleted).ToList();
            if (pending.Count == 0) return;
            try
            {
                await RunOnceAsync(pending, verify);
                return;
            }
            catch (VerifyFirstException)
            {
                // Someone was rejected on cached stock: decide again on stock read from the store before answering.
                verify = true;
            }
            catch (EventStoreUnavailableException e) when (e.OutcomeUnknown)
            {
                // The batch may have committed: deciding its orders again could place them twice. Each caller learns
                // the outcome is unknown, exactly as for a single command; a retry with its request id settles it.
                foreach (var item in pending) item.Done.TrySetException(e);
                return;
            }
            catch (WrongExpectedRevisionException e) when (IsShared(e.Stream) && attempt < MaxBatchAttempts)
            {
                OmsMetrics.Retries.Add(pending.Count, new KeyValuePair<string, object?>("command", "PlaceOrder"));
                await Task.Delay(Random.Shared.Next(1, 2 * attempt));
            }
            catch (BatchTooLargeException)
            {
                foreach (var item in pending) await RunAsync([item]);
                return;
            }
            catch (Exception) when (pending.Count > 1)
            {
                foreach (var item in pending) await RunAsync([item]);
                return;
            }
            catch (Exception e)
            {
                pending[0].Done.TrySetException(e);
                return;
            }
        }
    }

    static bool IsShared(string stream) =>
        stream.StartsWith(Streams.StockPrefix, StringComparison.Ordinal) || stream.StartsWith(Streams.BackorderPrefix, StringComparison.Ordinal);

    // Decides every order against the same locked stock and commits the accepted ones together. Rejections are
    // answered only after the commit: they were decided against the batch's state, which must have committed.
    async Task RunOnceAsync(List<Item> batch, bool verify)
    {
        var members = new List<(Item Item, Session.BatchMember Member)>();
        var rejected = new List<(Item Item, DomainException Error)>();
        await using var session = sessions.Open(verify);
        var routing = (await session.Locations(CancellationToken.None)).State.ShippingInRoutingOrder;
        if (routing.Count > _locations)
        {
            // The batch was sized for fewer locations than there are now: too big to be sure it fits one append.
            _locations = routing.Count;
            if (batch.Count > 1) throw new BatchTooLargeException();
        }
        _locations = Math.Max(1, routing.Count);
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
                rejected.Add((item, e));
                continue;
            }
            var result = new CommandResult(placed.OrderId, order.Stream, order.Revision + order.Pending.Count, 0, order.State.Status.ToCode());
            members.Add((item, new Session.BatchMember(item.Command, item.Request, result, placed.PlacedAt)));
        }

        if (rejected.Count > 0 && session.TrustedStreams.Count > 0)
        {
            foreach (var stream in session.TrustedStreams) sessions.MarkStale(stream);
            throw new VerifyFirstException();
        }
        if (members.Count > 0)
        {
            var results = await session.CommitBatchAsync([.. members.Select(m => m.Member)], CancellationToken.None);
            for (var i = 0; i < members.Count; i++) members[i].Item.Done.TrySetResult(results[i]);
        }
        foreach (var (item, error) in rejected) item.Done.TrySetException(error);
    }

    sealed class BatchTooLargeException : Exception;

    sealed class VerifyFirstException : Exception;
}
