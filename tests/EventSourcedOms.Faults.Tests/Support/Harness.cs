using System.Diagnostics;

namespace EventSourcedOms.Faults.Tests.Support;

/// <summary>Settings and small waits shared by the fault tests.</summary>
public static class Harness
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Generous: a process starts a runtime and migrates while the machine may be busy with other suites.</summary>
    public static TimeSpan StartTimeout { get; } = TimeSpan.FromSeconds(90);

    /// <summary>An integer from the environment (the long variants), or the CI default.</summary>
    public static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var value) && value > 0 ? value : fallback;

    /// <summary>Waits until <paramref name="current"/> reaches <paramref name="target"/> (the load made progress).</summary>
    public static async Task UntilAsync(int target, Func<int> current, OmsProcess process)
    {
        var clock = Stopwatch.StartNew();
        while (current() < target)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"the load made no progress for 60 s ({current()} < {target}):\n{process.Output}");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>A killed process or a database that is down may leave requests unanswered; a 5xx other than 503 is a bug.</summary>
    public static void AssertNoServerErrors(OmsClient client)
    {
        var errors = client.Failures.Where(f => f.Status is >= 500 and not 503).ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} server errors, e.g. {string.Join("; ", errors.Take(5))}");
    }

    public static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Console.WriteLine(line);
    }
}
