using System.Globalization;
using System.Text;

namespace EventSourcedOms.Bench;

/// <summary>
/// One scenario's figures. <see cref="Unit"/> names what <see cref="Events"/> counts (events, orders, reservations);
/// <see cref="RetriesPerSuccess"/> is the command pipeline's concurrency retries per successful command, where that applies.
/// <see cref="P50Ms"/>/<see cref="P99Ms"/> are given when an outside tool (wrk) measured the latencies, not this process.
/// <see cref="Limit"/> names the machine limit the figure is read against: a <see cref="MachineLimits"/> key, or text.
/// <see cref="Value"/> is for a figure that is not a rate (peak RSS in MB): the result is then that value in <see cref="Unit"/>.
/// </summary>
internal sealed record BenchResult(string Backend, string Scenario, long Events, TimeSpan Elapsed, double[] LatenciesMs, string Target,
    string Unit = "events", double? RetriesPerSuccess = null, double? P50Ms = null, double? P99Ms = null, string? Limit = null, double? Value = null)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
    public double P50 => P50Ms ?? Percentile(0.50);
    public double P99 => P99Ms ?? Percentile(0.99);

    double Percentile(double p)
    {
        if (LatenciesMs.Length == 0) return double.NaN;
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    internal string Rate => Value is { } v
        ? string.Create(CultureInfo.InvariantCulture, $"{v:N0} {Unit}")
        : string.Create(CultureInfo.InvariantCulture, $"{EventsPerSecond:N0} {(Unit == "events" ? "ev" : Unit)}/s");

    internal string Retries => RetriesPerSuccess is { } r ? r.ToString("N3", CultureInfo.InvariantCulture) : "–";

    public override string ToString() => Value is { } v
        ? string.Create(CultureInfo.InvariantCulture, $"{Backend,-9} {Scenario,-40} {v,22:N1} {Unit}")
        : string.Create(CultureInfo.InvariantCulture, $"{Backend,-9} {Scenario,-40} {Rate,22}  p50 {P50,7:N2} ms  p99 {P99,7:N2} ms  ({Events:N0} {Unit} in {Elapsed.TotalSeconds:N1} s)")
        + (RetriesPerSuccess is null ? "" : $"  retries/success {Retries}");

    public static string Table(IEnumerable<BenchResult> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| backend | scenario | rate | p50 ms | p99 ms | retries/success | target |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---|");
        foreach (var r in results)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Backend} | {r.Scenario} | {r.Rate} | {Fmt(r.P50)} | {Fmt(r.P99)} | {r.Retries} | {r.Target} |"));
        return sb.ToString();
    }

    internal static string Fmt(double v) => double.IsNaN(v) ? "–" : v.ToString("N2", CultureInfo.InvariantCulture);
}
