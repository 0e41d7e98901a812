using EventSourcedOms.Bench;

// Usage: dotnet run -c Release --project bench/EventSourcedOms.Bench -- [--backend sqlite|postgres|all]
//        [--pg "<Npgsql connection string>"] [--seconds 10] [--read-events 1000000] [--sqlite-dir DIR]
//        [--only append,live,read]
// bench/run.sh starts a durable throwaway PostgreSQL and runs everything; see docs/benchmarks.md.
var options = BenchOptions.Parse(args);
var results = new List<BenchResult>();
foreach (var backend in options.Backends)
{
    Console.WriteLine($"== {backend} ==");
    results.AddRange(await StoreBenchmarks.RunAsync(backend, options));
}
Console.WriteLine();
Console.WriteLine(BenchResult.Table(results));
