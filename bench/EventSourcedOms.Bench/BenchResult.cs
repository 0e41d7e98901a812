using System.Globalization;
using System.Text;

namespace EventSourcedOms.Bench;

internal sealed record BenchResult(string Backend, string Scenario, long Events, TimeSpan Elapsed, double[] LatenciesMs, string Target)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
    public double P50 => Percentile(0.50);
    public double P99 => Percentile(0.99);

    double Percentile(double p)
    {
        if (LatenciesMs.Length == 0) return double.NaN;
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Backend,-9} {Scenario,-40} {EventsPerSecond,12:N0} ev/s  p50 {P50,7:N2} ms  p99 {P99,7:N2} ms  ({Events:N0} events in {Elapsed.TotalSeconds:N1} s)");

    public static string Table(IEnumerable<BenchResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| backend | scenario | events/s | p50 ms | p99 ms | target |");
        sb.AppendLine("|---|---|---:|---:|---:|---|");
        foreach (var r in results)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Backend} | {r.Scenario} | {r.EventsPerSecond:N0} | {Fmt(r.P50)} | {Fmt(r.P99)} | {r.Target} |"));
        return sb.ToString();
    }

    static string Fmt(double v) => double.IsNaN(v) ? "–" : v.ToString("N2", CultureInfo.InvariantCulture);
}
