using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace EventSourcedOms.Bench;

/// <summary>
/// What this machine can do at all, measured without our code in the way, so every figure can be read against it:
/// bare durable one-row commits (PostgreSQL with 1, 8 and 64 clients; SQLite with one writer, WAL, synchronous=FULL),
/// bare 100-row commits, and a <c>select 1</c> round trip. The figures are kept in <c>bench/results/limits.json</c> so a
/// run of other groups alone (<c>--only orders</c>) still shows the limits measured last.
/// </summary>
internal static class LimitsBenchmarks
{
    const string Payload = """{"orderId":"0192f3a4-8b7c-7d6e-9f10-123456789abc","channel":"web","customerId":"c-10293","currency":"EUR","lines":[{"sku":"SKU-000123","quantity":2,"unitPrice":19.99},{"sku":"SKU-000456","quantity":1,"unitPrice":5.5}],"shipTo":"DE-10115"}""";

    public static async Task<List<BenchResult>> RunAsync(string backend, BenchOptions options, MachineLimits limits)
    {
        var results = new List<BenchResult>();

        void Report(string key, BenchResult r, double value)
        {
            Console.WriteLine(r);
            results.Add(r);
            limits.Set(key, value, r.Scenario);
        }

        if (backend == "postgres")
        {
            await using var data = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(options.PostgresConnection) { MaxPoolSize = 100 }.ConnectionString);
            await Execute(data, "drop table if exists bench_limit; create table bench_limit(id bigint generated always as identity primary key, data jsonb not null)");
            foreach (var clients in new[] { 1, 8, 64 })
            {
                var r = await Run(backend, $"limit: bare 1-row commit, {clients} client(s)", clients, 1, options.Duration, PgInsert(data, 1));
                Report(MachineLimits.PgCommit(clients), r, r.EventsPerSecond);
            }
            var rows = await Run(backend, "limit: bare 100-row commit, 8 clients", 8, 100, options.Duration, PgInsert(data, 100));
            Report(MachineLimits.PgRows100, rows, rows.EventsPerSecond);
            var select = await Run(backend, "limit: select 1 round trip, 1 client", 1, 1, TimeSpan.FromSeconds(Math.Min(5, options.Duration.TotalSeconds)), () => async () =>
            {
                await using var cmd = data.CreateCommand("select 1");
                await cmd.ExecuteScalarAsync();
            }, "round trips");
            Report(MachineLimits.PgRoundTripP99, select, select.P99);
            await Execute(data, "drop table bench_limit");
        }
        else
        {
            Directory.CreateDirectory(options.SqliteDirectory);
            var path = Path.Combine(options.SqliteDirectory, "bench_limit.db");
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
            using (var setup = Sqlite(path))
            {
                using var cmd = setup.CreateCommand();
                cmd.CommandText = "pragma journal_mode=wal; create table bench_limit(id integer primary key, data blob not null)";
                cmd.ExecuteNonQuery();
            }
            // One connection per writer, as the store has one writer connection: SQLite serialises writes anyway.
            var r = await Run(backend, "limit: bare 1-row commit (WAL, FULL), 1 writer", 1, 1, options.Duration, SqliteInsert(path, 1));
            Report(MachineLimits.SqliteCommit, r, r.EventsPerSecond);
            var rows = await Run(backend, "limit: bare 100-row commit (WAL, FULL), 1 writer", 1, 100, options.Duration, SqliteInsert(path, 100));
            Report(MachineLimits.SqliteRows100, rows, rows.EventsPerSecond);
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
        }
        return results;
    }

    static SqliteConnection Sqlite(string path)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "pragma synchronous=full; pragma busy_timeout=5000";
        cmd.ExecuteNonQuery();
        return c;
    }

    static Func<Func<Task>> SqliteInsert(string path, int rows) => () =>
    {
        var conn = Sqlite(path);
        var insert = conn.CreateCommand();
        insert.CommandText = "insert into bench_limit(data) values ($d)";
        var p = insert.Parameters.Add("$d", SqliteType.Blob);
        p.Value = System.Text.Encoding.UTF8.GetBytes(Payload);
        insert.Prepare();
        return () =>
        {
            using var tx = conn.BeginTransaction();
            insert.Transaction = tx;
            for (var i = 0; i < rows; i++) insert.ExecuteNonQuery();
            tx.Commit();
            return Task.CompletedTask;
        };
    };

    /// <summary>One prepared insert per call, autocommit (1 row) or one statement of <paramref name="rows"/> rows from an array.</summary>
    static Func<Func<Task>> PgInsert(NpgsqlDataSource data, int rows) => () =>
    {
        var values = Enumerable.Repeat(Payload, rows).ToArray();
        return async () =>
        {
            await using var cmd = rows == 1
                ? data.CreateCommand("insert into bench_limit(data) values ($1::jsonb)")
                : data.CreateCommand("insert into bench_limit(data) select unnest($1::jsonb[])");
            cmd.Parameters.Add(rows == 1 ? new NpgsqlParameter { Value = Payload, NpgsqlDbType = NpgsqlDbType.Text }
                                         : new NpgsqlParameter { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await cmd.ExecuteNonQueryAsync();
        };
    };

    /// <summary>
    /// <paramref name="clients"/> loops, each with its own state from <paramref name="client"/>, calling it back to back
    /// for <paramref name="duration"/> after a one-second warm-up; each call counts <paramref name="perCall"/> rows.
    /// </summary>
    static async Task<BenchResult> Run(string backend, string scenario, int clients, int perCall, TimeSpan duration, Func<Func<Task>> client, string? unit = null)
    {
        var latencies = new ConcurrentBag<double[]>();
        long count = 0;
        var warm = Stopwatch.StartNew();
        var measuring = new TaskCompletionSource();
        var clock = new Stopwatch();
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var call = client();
            var mine = new List<double>();
            while (warm.Elapsed < TimeSpan.FromSeconds(1)) await call();
            await measuring.Task;
            while (clock.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                await call();
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                Interlocked.Add(ref count, perCall);
            }
            latencies.Add([.. mine]);
        })).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1.05));
        clock.Start();
        measuring.SetResult();
        await Task.WhenAll(workers);
        return new BenchResult(backend, scenario, count, clock.Elapsed, latencies.SelectMany(l => l).ToArray(), "", unit ?? (perCall == 1 ? "commits" : "rows"));
    }

    static async Task Execute(NpgsqlDataSource data, string sql)
    {
        await using var cmd = data.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// The machine's limits by key (see <see cref="LimitsBenchmarks"/>), measured in this run or read from the last run's
/// <c>limits.json</c>. A <see cref="BenchResult"/> names the key it is compared with.
/// </summary>
internal sealed class MachineLimits
{
    public const string PgRows100 = "postgres.rows100", PgRoundTripP99 = "postgres.select1.p99", SqliteCommit = "sqlite.commit.1", SqliteRows100 = "sqlite.rows100", HttpNoop = "http.noop";

    public static string PgCommit(int clients) => $"postgres.commit.{clients}";

    public sealed record Limit(double Value, string What, DateTimeOffset MeasuredAt);

    readonly Dictionary<string, Limit> _limits;
    readonly string _file;

    MachineLimits(string file, Dictionary<string, Limit> limits) => (_file, _limits) = (file, limits);

    public static MachineLimits Load(string directory)
    {
        var file = Path.Combine(directory, "limits.json");
        var limits = File.Exists(file) ? JsonSerializer.Deserialize<Dictionary<string, Limit>>(File.ReadAllText(file)) ?? [] : [];
        return new MachineLimits(file, limits);
    }

    public void Set(string key, double value, string what) => _limits[key] = new Limit(value, what, DateTimeOffset.UtcNow);

    public Limit? Get(string? key) => key is not null && _limits.TryGetValue(key, out var l) ? l : null;

    public void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        File.WriteAllText(_file, JsonSerializer.Serialize(_limits, new JsonSerializerOptions { WriteIndented = true }));
    }
}
