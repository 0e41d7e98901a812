using EventSourcedOms.Bench;

// Usage: dotnet run -c Release --project bench/EventSourcedOms.Bench -- [--backend sqlite|postgres|all]
//        [--pg "<Npgsql connection string>"] [--seconds 10] [--read-events 1000000] [--sqlite-dir DIR]
//        [--only append,live,read,orders,projections,http] [--projection-events 1000000]
//        [--http-runs 2] [--connections 64] [--wrk-threads 2] [--no-idempotency-key] [--api-env KEY=VALUE,...]
// bench/run.sh starts a durable throwaway PostgreSQL and runs everything; see docs/benchmarks.md.
var options = BenchOptions.Parse(args);
var results = new List<BenchResult>();
var problems = new List<string>();
foreach (var backend in options.Backends)
{
    Console.WriteLine($"== {backend} ==");
    if (options.Runs("append") || options.Runs("live") || options.Runs("read"))
        results.AddRange(await StoreBenchmarks.RunAsync(backend, options));
    if (options.Runs("orders"))
        results.AddRange(await OrderBenchmarks.RunAsync(backend, options, problems));
    if (options.Runs("projections"))
        results.AddRange(await ProjectionBenchmarks.RunAsync(backend, options, problems));
    if (options.Runs("http"))
        results.AddRange(await HttpBenchmarks.RunAsync(backend, options, problems));
}
Console.WriteLine();
Console.WriteLine(BenchResult.Table(results));
if (problems.Count > 0)
{
    Console.Error.WriteLine($"FAILED: {problems.Count} problem(s)");
    foreach (var p in problems) Console.Error.WriteLine(p);
    Environment.ExitCode = 1;
}
