namespace EventSourcedOms.EventStore;

/// <summary>
/// Wakes subscriptions when new events may be readable. Waiters pass the <see cref="Version"/> they saw before
/// reading, so a notification that lands between their read and their wait is never missed.
/// </summary>
internal sealed class ChangeSignal
{
    long _version;
    TaskCompletionSource _next = NewSource();

    public long Version => Interlocked.Read(ref _version);

    public void Notify()
    {
        // Bump first, swap second: a waiter that still gets the old source is woken by it, one that gets the new
        // source sees the bumped version.
        Interlocked.Increment(ref _version);
        Interlocked.Exchange(ref _next, NewSource()).TrySetResult();
    }

    /// <summary>Returns when the version moves past <paramref name="seen"/> or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(long seen, TimeSpan timeout, CancellationToken ct)
    {
        var next = Volatile.Read(ref _next);
        if (Version != seen) return;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(timeout, cts.Token);
        await Task.WhenAny(next.Task, delay).ConfigureAwait(false);
        cts.Cancel();
        ct.ThrowIfCancellationRequested();
    }

    static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
