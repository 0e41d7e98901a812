using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EventSourcedOms.Bench;

/// <summary>
/// The published table: every figure of the run with its target, whether it was met, and the machine limit it is
/// read against (with the figure as a share of that limit where both are rates).
/// </summary>
internal static partial class Summary
{
    public static string Table(IEnumerable<BenchResult> results, MachineLimits limits)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| backend | figure | result | target | met | machine limit | % of limit |");
        sb.AppendLine("|---|---|---:|---|:-:|---|---:|");
        foreach (var r in results)
        {
            var limit = limits.Get(r.Limit);
            var limitText = limit is null ? r.Limit is { } text && !text.Contains('.') ? text : "–"
                : r.Limit == MachineLimits.PgRoundTripP99 ? $"{limit.Value.ToString("N2", CultureInfo.InvariantCulture)} ms p99 ({limit.What.Replace("limit: ", "")})"
                : $"{limit.Value.ToString("N0", CultureInfo.InvariantCulture)}/s ({limit.What.Replace("limit: ", "")})";
            var share = limit is not null && r.Limit != MachineLimits.PgRoundTripP99 && r.Value is null && limit.Value > 0
                ? (r.EventsPerSecond / limit.Value).ToString("P0", CultureInfo.InvariantCulture) : "–";
            sb.AppendLine($"| {r.Backend} | {r.Scenario} | {Result(r)} | {(r.Target.Length == 0 ? "–" : r.Target)} | {Verdict(r) switch { true => "✓", false => "✗", null => "–" }} | {limitText} | {share} |");
        }
        return sb.ToString();
    }

    /// <summary>The rate, or the latencies when the target is about latency only, or the value of a non-rate figure.</summary>
    static string Result(BenchResult r)
    {
        if (r.Value is { } v) return string.Create(CultureInfo.InvariantCulture, $"{v:N0} {r.Unit}");
        var latency = string.Create(CultureInfo.InvariantCulture, $"p50 {BenchResult.Fmt(r.P50)} / p99 {BenchResult.Fmt(r.P99)} ms");
        if (r.Unit == "queries" || (r.Target.Contains("p99") && !r.Target.Contains('≥'))) return latency;
        return double.IsNaN(r.P99) ? r.Rate : $"{r.Rate}, {latency}";
    }

    /// <summary>
    /// Reads the target text: "≥ N" is a rate floor, "p99 ≤ N ms" / "p99 &lt; N ms" a latency ceiling, "≤ N MB" a
    /// ceiling on the value; all that are present must hold. Null when the target states nothing measurable.
    /// </summary>
    public static bool? Verdict(BenchResult r)
    {
        bool? met = null;
        foreach (Match m in Floor().Matches(r.Target)) met = (met ?? true) && r.EventsPerSecond >= Number(m);
        foreach (Match m in P99Ceiling().Matches(r.Target)) met = (met ?? true) && !double.IsNaN(r.P99) && r.P99 <= Number(m);
        foreach (Match m in ValueCeiling().Matches(r.Target)) met = (met ?? true) && r.Value is { } v && v <= Number(m);
        return met;
    }

    static double Number(Match m) => double.Parse(m.Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"≥\s*([\d,]+(?:\.\d+)?)")]
    private static partial Regex Floor();

    [GeneratedRegex(@"p99\s*[≤<]\s*([\d,]+(?:\.\d+)?)\s*ms")]
    private static partial Regex P99Ceiling();

    [GeneratedRegex(@"^\s*≤\s*([\d,]+(?:\.\d+)?)\s*MB")]
    private static partial Regex ValueCeiling();
}
