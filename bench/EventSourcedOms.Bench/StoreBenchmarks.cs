using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using EventSourcedOms.EventStore;
using EventSourcedOms.EventStore.Postgres;
using EventSourcedOms.EventStore.Sqlite;
using Npgsql;

namespace EventSourcedOms.Bench;

// Event records with init-only properties: System.Text.Json's generated code then fills them without the slower
// constructor-argument path (measured: positional records halve the deserialising rate).
internal sealed record OrderLine
{
    public required string Sku { get; init; }
    public required int Quantity { get; init; }
    public required decimal UnitPrice { get; init; }
}

internal sealed record OrderPlaced
{
    public required Guid OrderId { get; init; }
    public required string Channel { get; init; }
    public required string CustomerId { get; init; }
    public required string Currency { get; init; }
    public required OrderLine[] Lines { get; init; }
    public required string ShipTo { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(OrderPlaced))]
internal sealed partial class BenchJson : JsonSerializerContext;

internal static class StoreBenchmarks
{
    static readonly EventMetadata Metadata = new() { CorrelationId = "bench", Actor = "bench" };

    /// <summary>An order event of the size the published peer figures use (~205 bytes of JSON).</summary>
    static EventData OrderEvent()
    {
        var e = new OrderPlaced
        {
            OrderId = Guid.CreateVersion7(), Channel = "web", CustomerId = "c-10293", Currency = "EUR", ShipTo = "DE-10115",
            Lines = [new OrderLine { Sku = "SKU-000123", Quantity = 2, UnitPrice = 19.99m }, new OrderLine { Sku = "SKU-000456", Quantity = 1, UnitPrice = 5.5m }],
        };
        return new EventData(Guid.CreateVersion7(), "OrderPlaced.v1", JsonSerializer.SerializeToUtf8Bytes(e, BenchJson.Default.OrderPlaced), Metadata);
    }

    public static async Task<List<BenchResult>> RunAsync(string backend, BenchOptions options)
    {
        var results = new List<BenchResult>();
        var name = BenchData.Made("bench_" + DateTime.UtcNow.ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        await using var store = await Open(backend, options, name, fresh: true);
        var pg = backend == "postgres";

        void Report(BenchResult r)
        {
            Console.WriteLine(r);
            results.Add(r);
        }

        await AppendFor(store, 8, 1, TimeSpan.FromSeconds(2)); // warm-up: JIT, pools, caches
        if (options.Runs("append"))
        {
            Report(await Appends(backend, store, writers: 1, batch: 1, options.Duration, pg ? "≥ 3,500 ev/s" : ""));
            Report(await Appends(backend, store, writers: 8, batch: 1, options.Duration, ""));
            Report(await Appends(backend, store, writers: 64, batch: 1, options.Duration, pg ? "≥ 12,000 ev/s" : "≥ 20,000 ev/s"));
            Report(await Appends(backend, store, writers: 8, batch: 100, options.Duration, pg ? "≥ 100,000 ev/s" : ""));
        }
        if (options.Runs("live"))
        {
            // PostgreSQL: the subscriber is another store instance, woken through LISTEN/NOTIFY as another process
            // would be. SQLite, the embedded store, serves subscriptions in the process that appends.
            var reader = pg ? await Open(backend, options, name, fresh: false) : null;
            Report(await LiveLatency(backend, store, reader, options.Duration));
        }
        if (options.Runs("read"))
        {
            var loaded = await Fill(store, options.ReadEvents);
            Console.WriteLine($"{backend}: $all holds {loaded:N0} events");
            Report(await ReadAll(backend, store, "(raw pages of 1,000)"));
            Report(await CatchUp(backend, store, loaded, "≥ 300,000 ev/s"));
        }
        return results;
    }

    /// <summary>
    /// A SQLite file (<c>&lt;sqlite-dir&gt;/&lt;name&gt;.db</c>, or <paramref name="sqlitePath"/>) or PostgreSQL schema named
    /// <paramref name="name"/>; <paramref name="fresh"/> deletes what was there.
    /// </summary>
    internal static async Task<IEventStore> Open(string backend, BenchOptions options, string name, bool fresh, string? sqlitePath = null)
    {
        if (backend == "sqlite")
        {
            var path = sqlitePath ?? Path.Combine(options.SqliteDirectory, name + ".db");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (fresh)
                foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
            return await SqliteEventStore.OpenAsync(new SqliteEventStoreOptions { Path = path });
        }
        if (fresh)
        {
            await using var conn = new NpgsqlConnection(options.PostgresConnection);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"drop schema if exists {name} cascade", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var csb = new NpgsqlConnectionStringBuilder(options.PostgresConnection) { MaxPoolSize = 100 };
        return await PostgresEventStore.CreateAsync(new PostgresEventStoreOptions { ConnectionString = csb.ConnectionString, Schema = name });
    }

    static async Task<BenchResult> Appends(string backend, IEventStore store, int writers, int batch, TimeSpan duration, string target)
    {
        var (events, elapsed, latencies) = await AppendFor(store, writers, batch, duration);
        var scenario = batch == 1 ? $"append 1 event, {writers} writer(s)" : $"append {batch} events, {writers} writers";
        // A one-event append is one commit (SQLite serialises all writers onto one, so its limit is the one-writer rate).
        var limit = batch > 1 ? (backend == "postgres" ? MachineLimits.PgRows100 : MachineLimits.SqliteRows100)
            : backend == "postgres" ? MachineLimits.PgCommit(writers) : MachineLimits.SqliteCommit;
        return new BenchResult(backend, scenario, events, elapsed, latencies, target, Limit: limit);
    }

    /// <summary>Each writer appends to new streams back to back until the time is up.</summary>
    static async Task<(long Events, TimeSpan Elapsed, double[] LatenciesMs)> AppendFor(IEventStore store, int writers, int batch, TimeSpan duration)
    {
        var latencies = new ConcurrentBag<double[]>();
        long events = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            var mine = new List<double>();
            while (clock.Elapsed < duration)
            {
                var data = Enumerable.Range(0, batch).Select(_ => OrderEvent()).ToArray();
                var start = Stopwatch.GetTimestamp();
                await store.AppendAsync("order-" + Guid.NewGuid().ToString("N"), ExpectedRevision.NoStream, data);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                Interlocked.Add(ref events, batch);
            }
            latencies.Add([.. mine]);
        })));
        return (events, clock.Elapsed, latencies.SelectMany(l => l).ToArray());
    }

    /// <summary>From an append's acknowledgement to its delivery by a live subscription, under 8 writers.</summary>
    static async Task<BenchResult> LiveLatency(string backend, IEventStore writer, IEventStore? otherInstance, TimeSpan duration)
    {
        await using var _ = otherInstance;
        var reader = otherInstance ?? writer;
        var acked = new ConcurrentDictionary<Guid, long>();
        var delivered = new ConcurrentDictionary<Guid, long>();
        long from = 0; // the subscription starts at the current end
        while (true)
        {
            var slice = await writer.ReadAllAsync(from, 10_000);
            from = slice.NextPosition;
            if (slice.IsEnd) break;
        }
        using var stop = new CancellationTokenSource();
        var follow = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in reader.SubscribeToAll(FromAll.AfterPosition(from - 1), null, stop.Token))
                    delivered[e.EventId] = Stopwatch.GetTimestamp();
            }
            catch (OperationCanceledException) { }
        });
        await Task.Delay(300);

        var clock = Stopwatch.StartNew();
        long count = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var e = OrderEvent();
                await writer.AppendAsync("order-" + Guid.NewGuid().ToString("N"), ExpectedRevision.NoStream, [e]);
                acked[e.EventId] = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref count);
            }
        })));
        var elapsed = clock.Elapsed;
        var deadline = Stopwatch.StartNew();
        while (delivered.Count < acked.Count && deadline.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(10);
        await stop.CancelAsync();
        await follow;
        if (delivered.Count < acked.Count) throw new InvalidOperationException($"only {delivered.Count} of {acked.Count} events were delivered");

        var latencies = acked.Select(a => Math.Max(0, Stopwatch.GetElapsedTime(a.Value, delivered[a.Key]).TotalMilliseconds)).ToArray();
        return new BenchResult(backend, "live subscription delay (ack → delivery)", count, elapsed, latencies, "p99 < 50 ms");
    }

    /// <summary>Tops $all up to <paramref name="target"/> events with 100-event appends from 8 writers.</summary>
    static async Task<long> Fill(IEventStore store, int target)
    {
        long count = 0, from = 0;
        while (true)
        {
            var slice = await store.ReadAllAsync(from, 50_000);
            count += slice.Events.Count;
            from = slice.NextPosition;
            if (slice.IsEnd) break;
        }
        var missing = target - count;
        if (missing <= 0) return count;
        var perWriter = (missing / 8 / 100) + 1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
                await store.AppendAsync("order-" + Guid.NewGuid().ToString("N"), ExpectedRevision.NoStream,
                    Enumerable.Range(0, 100).Select(_ => OrderEvent()).ToArray());
        })));
        return count + perWriter * 8 * 100;
    }

    /// <summary>$all page by page with ReadAllAsync, events as stored (no deserialising).</summary>
    static async Task<BenchResult> ReadAll(string backend, IEventStore store, string target)
    {
        var latencies = new List<double>();
        long events = 0, from = 0;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var start = Stopwatch.GetTimestamp();
            var slice = await store.ReadAllAsync(from, 1000);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            events += slice.Events.Count;
            from = slice.NextPosition;
            if (slice.IsEnd) break;
        }
        return new BenchResult(backend, "$all read, raw (per 1,000 page)", events, clock.Elapsed, [.. latencies], target);
    }

    /// <summary>What a projector rebuilding from zero does: subscribe from the start and deserialise every event.</summary>
    static async Task<BenchResult> CatchUp(string backend, IEventStore store, long total, string target)
    {
        long events = 0, checksum = 0;
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        try
        {
            await foreach (var e in store.SubscribeToAll(FromAll.Start, null, stop.Token))
            {
                checksum += JsonSerializer.Deserialize(e.Data.Span, BenchJson.Default.OrderPlaced)!.Lines.Length;
                if (++events == total) await stop.CancelAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        GC.KeepAlive(checksum);
        return new BenchResult(backend, "$all catch-up subscription, deserialized", events, clock.Elapsed, [], target);
    }
}
