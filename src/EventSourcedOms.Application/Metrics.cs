using System.Diagnostics.Metrics;

namespace EventSourcedOms.Application;

/// <summary>Counters an operator (and the benchmark) reads: commands by type and outcome, concurrency retries per command type.</summary>
public static class OmsMetrics
{
    public static readonly Meter Meter = new("EventSourcedOms.Application");

    /// <summary>Tags: <c>command</c> (type name) and <c>outcome</c> (ok, rejected, invalid, failed).</summary>
    public static readonly Counter<long> Commands = Meter.CreateCounter<long>("oms.commands", description: "Commands handled, by type and outcome");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("oms.command.retries", description: "Commands re-run after a concurrency conflict");
}
