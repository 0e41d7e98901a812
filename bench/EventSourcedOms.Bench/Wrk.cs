using System.Diagnostics;
using System.Globalization;

namespace EventSourcedOms.Bench;

/// <summary>
/// Runs wrk (Debian package <c>wrk</c>; bench/run.sh installs it) with place-order.lua against the API and parses the
/// line its done() prints. Also samples CPU: the API process, wrk (a reaped child: this process's cutime/cstime) and the
/// whole machine (/proc/stat), so a run shows who used the shared cores.
/// </summary>
internal static class Wrk
{
    const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

    public sealed record Result(long Requests, long Non201, long SocketErrors, string FirstNon201, TimeSpan Elapsed, double P50Ms, double P99Ms,
        double MaxMs, double ApiCpuMs, double WrkCpuMs, double? PostgresCpuMs, double OtherCpuMs, double MachineBusy)
    {
        public long Created => Requests - Non201;
    }

    /// <summary><paramref name="probe"/>: GET /health/live instead of PlaceOrder (200 expected), the HTTP stack's ceiling.</summary>
    public static async Task<Result> RunAsync(ApiProcess api, BenchOptions options, TimeSpan duration, string label, int? postmaster, bool probe = false)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "place-order.lua");
        var runId = $"{label}-{Guid.NewGuid():N}"[..20];
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        string[] args =
        [
            "-t", options.WrkThreads.ToString(CultureInfo.InvariantCulture), "-c", options.Connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{seconds}s", "--timeout", "10s", "--latency", "-s", script, api.Url.ToString().TrimEnd('/'),
            "--", api.ClerkKey, runId, "1000", probe ? "probe" : options.IdempotencyKeys ? "idem" : "noidem",
        ];
        var (apiCpu, childTicks, machine, pgTicks) = (api.Cpu, ChildTicks(), MachineTicks(), PostgresTicks(postmaster));
        using var wrk = ChildProcesses.Track(Process.Start(new ProcessStartInfo("wrk", args) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("wrk did not start"));
        var stdout = wrk.StandardOutput.ReadToEndAsync();
        var stderr = wrk.StandardError.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        ChildProcesses.Forget(wrk);
        var output = await stdout;
        if (wrk.ExitCode != 0) throw new InvalidOperationException($"wrk exited with {wrk.ExitCode}:\n{output}\n{await stderr}");
        var apiMs = (api.Cpu - apiCpu).TotalMilliseconds;
        var wrkMs = (ChildTicks() - childTicks) / TicksPerSecond * 1000;
        var (busy, total) = MachineTicks();
        var busyMs = (busy - machine.Busy) / TicksPerSecond * 1000;
        double? pgMs = postmaster is null ? null : (PostgresTicks(postmaster) - pgTicks) / TicksPerSecond * 1000;

        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("WRK-RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no WRK-RESULT line:\n{output}\n{await stderr}");
        var v = line["WRK-RESULT ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => long.Parse(kv[1], CultureInfo.InvariantCulture));
        var first = output.Split('\n').FirstOrDefault(l => l.StartsWith("WRK-FIRST-NON201 ", StringComparison.Ordinal))?["WRK-FIRST-NON201 ".Length..] ?? "";
        var created = Math.Max(1, v["requests"] - v["non201"]);
        return new Result(v["requests"], v["non201"], v["connect"] + v["read"] + v["write"] + v["timeout"], first,
            TimeSpan.FromTicks(v["duration_us"] * 10), v["p50_us"] / 1000.0, v["p99_us"] / 1000.0, v["max_us"] / 1000.0,
            apiMs / created, wrkMs / created, pgMs / created, Math.Max(0, busyMs - apiMs - wrkMs - (pgMs ?? 0)) / created,
            (busy - machine.Busy) / (double)Math.Max(1, total - machine.Total));
    }

    /// <summary>CPU ticks of this process's waited-for children (wrk): fields 16 and 17 of /proc/self/stat.</summary>
    static long ChildTicks()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from the 3rd on
        return long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// CPU ticks of a PostgreSQL server: the postmaster and its children (backends, WAL writer, checkpointer). A backend that
    /// exits takes its ticks along, but the API's pooled connections live through a run.
    /// </summary>
    static long PostgresTicks(int? postmaster)
    {
        if (postmaster is not { } pid) return 0;
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (IOException) { continue; } // exited meanwhile
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (Path.GetFileName(dir) == pid.ToString(CultureInfo.InvariantCulture) || f[1] == pid.ToString(CultureInfo.InvariantCulture))
                ticks += long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
        }
        return ticks;
    }

    /// <summary>Busy and total ticks of all cores: the first line of /proc/stat (idle and iowait count as not busy).</summary>
    static (long Busy, long Total) MachineTicks()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = cpu.Sum();
        return (total - cpu[3] - cpu[4], total);
    }
}
