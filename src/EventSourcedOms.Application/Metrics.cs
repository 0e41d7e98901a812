using System.Diagnostics.Metrics;

namespace EventSourcedOms.Application;

/// <summary>Counters an operator (and the benchmark) reads: concurrency retries per command type.</summary>
public static class OmsMetrics
{
    public static readonly Meter Meter = new("EventSourcedOms.Application");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("oms.command.retries", description: "Commands re-run after a concurrency conflict");
}
