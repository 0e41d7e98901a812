using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using EventSourcedOms.Application;
using EventSourcedOms.Application.Inventory.ReceiveStock;
using EventSourcedOms.Application.Locations.DefineLocation;
using EventSourcedOms.Application.Orders.PlaceOrder;
using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Locations;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace EventSourcedOms.Bench;

/// <summary>
/// The application layer end to end: PlaceOrder through the mediator pipeline (validation, idempotency, retry) into the
/// store, as a host runs it. Each order routes, reserves stock and commits the order and its stock streams in one
/// multi-stream append.
/// </summary>
internal static class OrderBenchmarks
{
    const int SkuCount = 1_000;
    const int UnitsPerSku = 1_000_000; // the most one ReceiveStock accepts; far more than any run reserves
    const int HotUnits = 2_000_000;    // two receipts
    const string Primary = "wh-1", Secondary = "wh-2", HotSku = "HOT-000001";

    static readonly Address ShipTo = new("Erika Mustermann", "Hauptstraße 1", null, "Berlin", null, "10115", "DE");

    static string Sku(int i) => string.Create(CultureInfo.InvariantCulture, $"SKU-{i:D6}");

    static PlaceOrder Order(params PlacedLine[] lines) =>
        new("web", null, "c-" + Random.Shared.Next(100_000).ToString(CultureInfo.InvariantCulture), ShipTo, "EUR", "standard", null, lines,
            BackorderPolicies.Reject) { Actor = "bench" };

    /// <summary>Two lines, two distinct SKUs out of the 1,000, one unit each.</summary>
    static PlaceOrder TwoLineOrder()
    {
        var a = Random.Shared.Next(SkuCount);
        var b = Random.Shared.Next(SkuCount - 1);
        if (b >= a) b++;
        return Order(new PlacedLine(1, Sku(a), 1, 19.99m), new PlacedLine(2, Sku(b), 1, 5.5m));
    }

    static PlaceOrder HotOrder() => Order(new PlacedLine(1, HotSku, 1, 9.99m));

    public static async Task<List<BenchResult>> RunAsync(string backend, BenchOptions options, List<string> problems)
    {
        var results = new List<BenchResult>();
        var name = BenchData.Made("bench_orders_" + DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture));
        await using var store = await StoreBenchmarks.Open(backend, options, name, fresh: true);
        await using var provider = App(store);
        var mediator = provider.GetRequiredService<IMediator>();
        using var retries = new RetryCounter();
        var pg = backend == "postgres";

        void Report(BenchResult r, Run run)
        {
            Console.WriteLine(r + string.Create(CultureInfo.InvariantCulture, $"  cpu {run.CpuMsPerSuccess:N3} ms/{r.Unit.TrimEnd('s')} in this process"));
            results.Add(r);
        }

        var setup = Stopwatch.StartNew();
        await Setup(mediator);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend}: set up 2 warehouses, {SkuCount:N0} SKUs × {UnitsPerSku:N0} units at {Primary}, {HotSku} × {HotUnits:N0} in {setup.Elapsed.TotalSeconds:N1} s"));

        long placed = 0;
        var warmUp = await PlaceFor([mediator], retries, 8, TimeSpan.FromSeconds(2), TwoLineOrder); // JIT, pools, state cache
        placed += warmUp.Successes;
        Check(backend, "warm-up", warmUp, outOfStockExpected: false, problems);
        foreach (var callers in new[] { 1, 8, 64 })
        {
            var run = await PlaceFor([mediator], retries, callers, options.Duration, TwoLineOrder);
            placed += run.Successes;
            Check(backend, $"{callers} caller(s)", run, outOfStockExpected: false, problems);
            Report(new BenchResult(backend, $"place order (2 lines), {callers} caller(s)", run.Successes, run.Elapsed, run.LatenciesMs,
                pg && callers == 64 ? "≥ 5,000 orders/s (PostgreSQL, 64 callers)" : "", "orders", run.RetriesPerSuccess,
                Limit: pg ? MachineLimits.PgCommit(callers) : MachineLimits.SqliteCommit), run);
        }
        await VerifyOrderStock(backend, store, placed, problems);

        var hot = await PlaceFor([mediator], retries, 64, options.Duration, HotOrder);
        Check(backend, "hot SKU", hot, outOfStockExpected: true, problems);
        Report(new BenchResult(backend, "hot SKU, 1-line orders, 64 callers", hot.Successes, hot.Elapsed, hot.LatenciesMs,
            "≥ 3,000 reservations/s, zero oversell", "reservations", hot.RetriesPerSuccess,
            Limit: pg ? MachineLimits.PgCommit(64) : MachineLimits.SqliteCommit), hot);
        await VerifyHotSku(backend, store, hot.Units, hot.OutOfStock, problems);

        // Two application instances (own stream locks and state caches) over one store stand in for two processes: the
        // in-process locks no longer serialise them, so the store's expected-revision check and the retry behaviour decide.
        await using (var second = App(store))
        {
            var shared = await PlaceFor([mediator, second.GetRequiredService<IMediator>()], retries, 64, options.Duration, HotOrder);
            Check(backend, "hot SKU, 2 instances", shared, outOfStockExpected: true, problems);
            Console.WriteLine($"{backend}: orders per instance {string.Join(" / ", shared.SuccessesPerMediator.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))}, {shared.Retries:N0} retries");
            Report(new BenchResult(backend, "hot SKU, 2 app instances × 32 callers", shared.Successes, shared.Elapsed, shared.LatenciesMs,
                "(cross-process retries) zero oversell", "reservations", shared.RetriesPerSuccess), shared);
            await VerifyHotSku(backend, store, hot.Units + shared.Units, hot.OutOfStock + shared.OutOfStock, problems);
        }
        return results;
    }

    /// <summary>What a host builds: the store, then AddOmsApplication.</summary>
    static ServiceProvider App(IEventStore store)
    {
        var services = new ServiceCollection();
        services.AddSingleton(store);
        services.AddOmsApplication();
        return services.BuildServiceProvider();
    }

    /// <summary>Not measured: locations one after the other (one catalogue stream), receipts in parallel.</summary>
    static async Task Setup(IMediator mediator)
    {
        await mediator.Send(new DefineLocation(Primary, "Warehouse 1", LocationKinds.Warehouse, 1, Ships: true));
        await mediator.Send(new DefineLocation(Secondary, "Warehouse 2", LocationKinds.Warehouse, 2, Ships: true));
        var receipts = Enumerable.Range(0, SkuCount).Select(i => new ReceiveStock(Sku(i), Primary, UnitsPerSku, "bench-setup"))
            .Concat(Enumerable.Range(0, HotUnits / UnitsPerSku).Select(_ => new ReceiveStock(HotSku, Primary, UnitsPerSku, "bench-setup")));
        await Parallel.ForEachAsync(receipts, new ParallelOptions { MaxDegreeOfParallelism = 32 },
            async (receipt, ct) => await mediator.Send(receipt, ct));
    }

    sealed record Run(long Successes, long Units, long OutOfStock, long Failures, IReadOnlyList<Exception> FirstFailures, TimeSpan Elapsed,
        double[] LatenciesMs, long Retries, long[] SuccessesPerMediator, TimeSpan Cpu)
    {
        /// <summary>This process's CPU time (all threads) per successful order: the application's and client's share.</summary>
        public double CpuMsPerSuccess => Successes == 0 ? double.NaN : Cpu.TotalMilliseconds / Successes;

        public double RetriesPerSuccess => Successes == 0 ? double.NaN : (double)Retries / Successes;
    }

    /// <summary>
    /// Each caller places orders back to back until the time is up, caller i through mediator i mod n. Latency is that of successful orders; an
    /// insufficient-stock rejection is counted apart, any other exception is a failure (first of each type kept).
    /// </summary>
    static async Task<Run> PlaceFor(IMediator[] mediators, RetryCounter retries, int callers, TimeSpan duration, Func<PlaceOrder> next)
    {
        var latencies = new ConcurrentBag<double[]>();
        var failures = new ConcurrentDictionary<string, Exception>();
        long successes = 0, units = 0, outOfStock = 0, failed = 0;
        var perMediator = new long[mediators.Length];
        var retriesBefore = retries.Count;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(i => Task.Run(async () =>
        {
            var mediator = mediators[i % mediators.Length];
            var mine = new List<double>();
            while (clock.Elapsed < duration)
            {
                var command = next();
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await mediator.Send(command);
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    Interlocked.Increment(ref successes);
                    Interlocked.Increment(ref perMediator[i % mediators.Length]);
                    Interlocked.Add(ref units, command.Lines.Sum(l => l.Quantity));
                }
                catch (DomainException e) when (e.Code == ErrorCodes.InsufficientStock)
                {
                    Interlocked.Increment(ref outOfStock);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failed);
                    failures.TryAdd(e is DomainException d ? $"DomainException {d.Code}" : e.GetType().FullName!, e);
                }
            }
            latencies.Add([.. mine]);
        })));
        var elapsed = clock.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return new Run(successes, units, outOfStock, failed, [.. failures.Values], elapsed, latencies.SelectMany(l => l).ToArray(),
            retries.Count - retriesBefore, perMediator, cpu);
    }

    static void Check(string backend, string label, Run run, bool outOfStockExpected, List<string> problems)
    {
        if (run.OutOfStock > 0 && !outOfStockExpected)
            Problem(problems, $"{backend} {label}: {run.OutOfStock:N0} insufficient-stock rejections with {UnitsPerSku:N0} units per SKU");
        if (run.Failures == 0) return;
        Problem(problems, $"{backend} {label}: {run.Failures:N0} of {run.Successes + run.OutOfStock + run.Failures:N0} orders failed; first of each kind:\n"
            + string.Join("\n", run.FirstFailures.Select(e => e.ToString())));
    }

    static void Problem(List<string> problems, string message)
    {
        Console.Error.WriteLine("PROBLEM: " + message);
        problems.Add(message);
    }

    /// <summary>Every successful two-line order holds one unit of each of its SKUs, all at the first warehouse.</summary>
    static async Task VerifyOrderStock(string backend, IEventStore store, long orders, List<string> problems)
    {
        var states = new ConcurrentBag<StockState>();
        await Parallel.ForEachAsync(Enumerable.Range(0, SkuCount).SelectMany(i => new[] { (Sku(i), Primary), (Sku(i), Secondary) }),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (item, ct) => states.Add((await Fold(store, Streams.Stock(item.Item1, item.Item2), ct)).State));
        var reserved = states.Sum(s => (long)s.Reserved);
        var negative = states.Count(s => s.AvailableToPromise < 0);
        if (reserved != 2 * orders || negative > 0)
            Problem(problems, $"{backend} orders: {reserved:N0} units reserved for {orders:N0} two-line orders (expected {2 * orders:N0}); {negative} stock item(s) oversold");
        else
            Console.WriteLine($"{backend}: {reserved:N0} units reserved = 2 × {orders:N0} orders, no stock item oversold");
    }

    /// <summary>Folds the hot SKU's stock stream from the store: on hand ≥ reserved + safety stock, reserved = units sold.</summary>
    static async Task VerifyHotSku(string backend, IEventStore store, long sold, long outOfStock, List<string> problems)
    {
        // Timed: it is what a session pays to load the hot stream when its cached state was evicted (after a conflict).
        var replay = Stopwatch.StartNew();
        var (s, events) = await Fold(store, Streams.Stock(HotSku, Primary), CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend}: full replay of {Streams.Stock(HotSku, Primary)} ({events:N0} events) took {replay.Elapsed.TotalMilliseconds:N0} ms"));
        var (other, _) = await Fold(store, Streams.Stock(HotSku, Secondary), CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend}: {HotSku}@{Primary} on hand {s.OnHand:N0}, reserved {s.Reserved:N0}, safety {s.SafetyStock:N0}, available {s.AvailableToPromise:N0}; {sold:N0} units sold, {outOfStock:N0} insufficient-stock rejections"));
        var errors = new List<string>();
        if (s.OnHand - s.Reserved - s.SafetyStock < 0) errors.Add($"on hand {s.OnHand} − reserved {s.Reserved} − safety {s.SafetyStock} < 0");
        if (s.Reserved != sold) errors.Add($"reserved {s.Reserved} ≠ {sold} units of successful orders");
        if (s.OnHand != HotUnits) errors.Add($"on hand {s.OnHand} ≠ {HotUnits} received");
        if (other.Reserved != 0 || other.OnHand != 0) errors.Add($"{HotSku}@{Secondary} has on hand {other.OnHand}, reserved {other.Reserved}");
        if (outOfStock > 0 && s.AvailableToPromise > 0) errors.Add($"{outOfStock} insufficient-stock rejections while {s.AvailableToPromise} units were available");
        if (errors.Count == 0)
            Console.WriteLine($"{backend}: oversell: none");
        else
            Problem(problems, $"{backend} hot SKU OVERSELL/INCONSISTENCY: {string.Join("; ", errors)}");
    }

    static async Task<(StockState State, long Events)> Fold(IEventStore store, string stream, CancellationToken ct)
    {
        const int page = 1_000;
        var state = StockState.Initial;
        long from = 0, count = 0;
        while (true)
        {
            var events = await store.ReadStreamAsync(stream, from, Direction.Forwards, page, ct);
            foreach (var recorded in events)
            {
                if (EventSerializer.Deserialize(recorded) is { } e) state = state.When(e);
                from = recorded.Revision + 1;
                count++;
            }
            if (events.Count < page) return (state, count);
        }
    }

    /// <summary>Sums the pipeline's concurrency retries (<see cref="OmsMetrics.Retries"/>, "oms.command.retries").</summary>
    /// <remarks>
    /// Matched by meter and instrument name, not by reference: OmsMetrics is initialised by the first retry, and the
    /// counter is published from inside that initialiser, while <c>OmsMetrics.Retries</c> is still null (measured:
    /// a reference comparison never counts anything).
    /// </remarks>
    sealed class RetryCounter : IDisposable
    {
        const string MeterName = "EventSourcedOms.Application", InstrumentName = "oms.command.retries";

        readonly MeterListener _listener = new();
        long _count;

        public RetryCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MeterName && instrument.Name == InstrumentName) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
