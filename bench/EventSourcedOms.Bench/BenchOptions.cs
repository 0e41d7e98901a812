namespace EventSourcedOms.Bench;

internal sealed record BenchOptions(string[] Backends, string? PostgresConnection, TimeSpan Duration, int ReadEvents, string SqliteDirectory, string[] Only,
    int ProjectionEvents, int HttpRuns, int Connections, int WrkThreads, bool IdempotencyKeys, IReadOnlyDictionary<string, string> ApiEnvironment,
    string ResultsDirectory, int ScaleOrders, bool ScaleReuse, bool KeepData)
{
    /// <summary>Scenario groups: limits, append, live, read, orders, projections, http, scale (all by default; --only append,read).</summary>
    public bool Runs(string group) => Only.Length == 0 || Only.Contains(group);

    public static BenchOptions Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.LastIndexOf(args, name); // run.sh passes defaults first; the caller's own options come later and win
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var backend = Get("--backend", "all");
        var pg = Get("--pg", Environment.GetEnvironmentVariable("OMS_BENCH_POSTGRES") ?? "");
        string[] backends = backend switch
        {
            "all" => pg.Length > 0 ? ["sqlite", "postgres"] : ["sqlite"],
            "sqlite" or "postgres" => [backend],
            _ => throw new ArgumentException($"--backend {backend}: use sqlite, postgres or all"),
        };
        if (backends.Contains("postgres") && pg.Length == 0)
            throw new ArgumentException("--backend postgres needs --pg \"<connection string>\" or OMS_BENCH_POSTGRES");
        return new BenchOptions(
            backends,
            pg.Length > 0 ? pg : null,
            TimeSpan.FromSeconds(double.Parse(Get("--seconds", "10"), System.Globalization.CultureInfo.InvariantCulture)),
            int.Parse(Get("--read-events", "1000000"), System.Globalization.CultureInfo.InvariantCulture),
            Get("--sqlite-dir", Path.Combine(Path.GetTempPath(), "oms-bench")),
            Get("--only", "").Split(',', StringSplitOptions.RemoveEmptyEntries),
            int.Parse(Get("--projection-events", "1000000"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Get("--http-runs", "2"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Get("--connections", "64"), System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Get("--wrk-threads", "2"), System.Globalization.CultureInfo.InvariantCulture),
            !args.Contains("--no-idempotency-key"),
            // --api-env Oms__RunProjections=false,Logging__LogLevel__Default=None: extra environment for the API process (to find where time goes)
            Get("--api-env", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]),
            // The summary table of every run and the machine limits measured last (bench/results is not committed).
            Get("--results-dir", Path.Combine("bench", "results")),
            // scale group: orders loaded before the API starts on them; --scale-reuse keeps the loaded store for the next run
            int.Parse(Get("--scale-orders", "1000000"), System.Globalization.CultureInfo.InvariantCulture),
            args.Contains("--scale-reuse"),
            // keep the stores this run made (schemas bench_<group>_<hhmmss>, SQLite files) instead of removing them at its end
            args.Contains("--keep-data"));
    }
}
