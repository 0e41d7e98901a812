using System.Globalization;
using EventSourcedOms.Bench;

// Usage: dotnet run -c Release --project bench/EventSourcedOms.Bench -- [--backend sqlite|postgres|all]
//        [--pg "<Npgsql connection string>"] [--seconds 10] [--read-events 1000000] [--sqlite-dir DIR]
//        [--only limits,append,live,read,orders,projections,http,scale] [--projection-events 1000000]
//        [--http-runs 2] [--connections 64] [--wrk-threads 2] [--no-idempotency-key] [--api-env KEY=VALUE,...]
//        [--results-dir bench/results] [--scale-orders 1000000] [--scale-reuse] [--keep-data]
// bench/run.sh starts a durable throwaway PostgreSQL and runs everything; see docs/benchmarks.md.
var options = BenchOptions.Parse(args);
var results = new List<BenchResult>();
var problems = new List<string>();
var limits = MachineLimits.Load(options.ResultsDirectory);
var started = DateTime.UtcNow;
foreach (var backend in options.Backends)
{
    Console.WriteLine($"== {backend} ==");
    if (options.Runs("limits"))
    {
        results.AddRange(await LimitsBenchmarks.RunAsync(backend, options, limits));
        limits.Save();
    }
    if (options.Runs("append") || options.Runs("live") || options.Runs("read"))
        results.AddRange(await StoreBenchmarks.RunAsync(backend, options));
    if (options.Runs("orders"))
        results.AddRange(await OrderBenchmarks.RunAsync(backend, options, problems));
    if (options.Runs("projections"))
        results.AddRange(await ProjectionBenchmarks.RunAsync(backend, options, problems));
    if (options.Runs("http"))
    {
        results.AddRange(await HttpBenchmarks.RunAsync(backend, options, problems, limits));
        limits.Save();
    }
    if (options.Runs("scale"))
        results.AddRange(await ScaleBenchmarks.RunAsync(backend, options, problems));
}
Console.WriteLine();
Console.WriteLine(BenchResult.Table(results));
var summary = Summary.Table(results, limits);
Console.WriteLine(summary);
var machine = string.Create(CultureInfo.InvariantCulture,
    $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
Directory.CreateDirectory(options.ResultsDirectory);
var file = Path.Combine(options.ResultsDirectory, started.ToString("yyyy-MM-ddTHHmm", CultureInfo.InvariantCulture) + "Z.md");
await File.WriteAllTextAsync(file,
    $"# bench {string.Join(' ', args.Where(a => !a.Contains("Password", StringComparison.OrdinalIgnoreCase)))}\n\n" +
    $"{started:yyyy-MM-dd HH:mm} – {DateTime.UtcNow:HH:mm} UTC; {machine}\n\n{summary}");
Console.WriteLine($"summary written to {file}");
if (problems.Count == 0) await BenchData.RemoveAsync(options);  // a run with problems keeps its stores to look into
if (problems.Count > 0)
{
    Console.Error.WriteLine($"FAILED: {problems.Count} problem(s)");
    foreach (var p in problems) Console.Error.WriteLine(p);
    Environment.ExitCode = 1;
}
