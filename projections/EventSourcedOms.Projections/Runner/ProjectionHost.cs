using System.Collections.Concurrent;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>What one projection is doing in this process.</summary>
public enum ProjectionActivity
{
    /// <summary>Another process holds the lease; this one waits to take over.</summary>
    Standby,
    Running,
    /// <summary>Stopped on a poison event (see <see cref="Checkpoint.Error"/>); waits until the error is reset.</summary>
    Failed,
    /// <summary>The read-model database is unreachable; retrying.</summary>
    Retrying,
    /// <summary>Paused for a rebuild or a verification; the lease is free.</summary>
    Paused,
}

/// <summary>
/// Runs every projection, each in its own loop, in the API process (as a hosted service) or in a standalone worker.
/// Per projection, only the holder of its <see cref="RunnerLease"/> runs; the others stand by and take over within
/// <see cref="LeaseRetry"/> after the holder dies. A projection that stopped on a poison event stays stopped (and says
/// so in <see cref="Activities"/> and its checkpoint) until its error is reset; the others go on.
/// </summary>
public sealed class ProjectionHost(IEventStore store, ProjectionDatabase database, IReadOnlyList<IProjection> projections, TimeProvider? time = null)
{
    readonly ConcurrentDictionary<string, ProjectionActivity> _activities = new();
    readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();
    readonly ConcurrentDictionary<string, bool> _paused = new();

    public TimeSpan LeaseRetry { get; init; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<IProjection> Projections => projections;

    /// <summary>What each projection is doing here; one that this host has stopped running (it was cancelled) is not listed.</summary>
    public IReadOnlyDictionary<string, ProjectionActivity> Activities => _activities;

    public async Task RunAsync(CancellationToken ct)
    {
        await database.MigrateAsync(projections, ct);
        await CatchUpTogetherAsync(ct);
        await Task.WhenAll(projections.Select(p => Task.Run(() => RunOneAsync(p, ct), CancellationToken.None)));
    }

    /// <summary>
    /// Before the projections go live each on its own, those whose lease this process gets catch up to the end of the
    /// log together (<see cref="SharedCatchUp"/>): one read, deserialisation and fold of each event for all of them instead
    /// of one per runner. That is what a new read-model database, a dropped read schema or a long stop costs on start;
    /// when they are current it reads nothing. Any trouble (a poison event, the database) ends it early: each runner then
    /// meets the same on its own and handles it as usual. A pause (rebuild, verify) ends it too.
    /// </summary>
    async Task CatchUpTogetherAsync(CancellationToken ct)
    {
        var leases = new List<RunnerLease>();
        var mine = new List<IProjection>();
        using var together = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            foreach (var projection in projections)
                if (!_paused.GetValueOrDefault(projection.Name) && await RunnerLease.TryAcquireAsync(database, projection.Name, ct) is { } lease)
                {
                    leases.Add(lease);
                    mine.Add(projection);
                }
            if (mine.Count < 2) return;  // one alone gains nothing over its own runner
            foreach (var projection in mine)
            {
                _running[projection.Name] = together;
                _activities[projection.Name] = ProjectionActivity.Running;
            }
            await new SharedCatchUp(store, database, mine, time).CatchUpAsync(long.MaxValue, null, together.Token);
        }
        catch (Exception)
        {
            // Stopped, paused, or in trouble: the runners below take it from each checkpoint (or end at once when stopped).
        }
        finally
        {
            foreach (var projection in mine) _running.TryRemove(projection.Name, out _);
            foreach (var lease in leases) await lease.DisposeAsync();
        }
    }

    async Task RunOneAsync(IProjection projection, CancellationToken ct)
    {
        _activities[projection.Name] = ProjectionActivity.Standby;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (_paused.GetValueOrDefault(projection.Name))
                {
                    _activities[projection.Name] = ProjectionActivity.Paused;
                    await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
                    continue;
                }
                await using var lease = await RunnerLease.TryAcquireAsync(database, projection.Name, ct);
                if (lease is null)
                {
                    _activities[projection.Name] = ProjectionActivity.Standby;
                    await Task.Delay(LeaseRetry, ct);
                    continue;
                }
                if (_paused.GetValueOrDefault(projection.Name)) continue;
                using var running = CancellationTokenSource.CreateLinkedTokenSource(ct);
                _running[projection.Name] = running;
                var watchdog = WatchAsync(lease, running);
                _activities[projection.Name] = ProjectionActivity.Running;
                try
                {
                    await new ProjectionRunner(store, database, projection, time).RunAsync(running.Token);
                }
                finally
                {
                    _running.TryRemove(projection.Name, out _);
                    await running.CancelAsync();
                    await watchdog;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException) when (_paused.GetValueOrDefault(projection.Name))
            {
            }
            catch (ProjectionStoppedException)
            {
                _activities[projection.Name] = ProjectionActivity.Failed;
                await Task.Delay(LeaseRetry * 5, ct).ContinueWith(_ => { }, CancellationToken.None);
            }
            catch (Exception)
            {
                // The lease was lost, the database or the store is unreachable: try again shortly, on fresh connections.
                _activities[projection.Name] = ProjectionActivity.Retrying;
                database.ClearPool();
                await Task.Delay(LeaseRetry, ct).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
        // Stopped: no longer running here (a pause, a verify or a rebuild through this host then waits for nothing).
        _activities.TryRemove(projection.Name, out _);
    }

    /// <summary>
    /// Stops one projection here and frees its lease until the returned handle is disposed (for rebuild and verify,
    /// which take the lease themselves). The rows stay readable meanwhile.
    /// </summary>
    public async Task<IAsyncDisposable> PauseAsync(string projection, CancellationToken ct)
    {
        _paused[projection] = true;
        try
        {
            if (_running.TryGetValue(projection, out var running)) await running.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // That run had just ended by itself.
        }
        while (_activities.GetValueOrDefault(projection) is not ProjectionActivity.Paused and not ProjectionActivity.Standby)
            await Task.Delay(10, ct);
        return new Resume(() => _paused[projection] = false);
    }

    /// <summary>Rebuilds one projection into shadow tables and swaps them in; this host pauses it only for the swap.</summary>
    public Task RebuildAsync(IProjection projection, IProgress<RebuildProgress>? progress, CancellationToken ct) =>
        new ProjectionMaintenance(store, database).RebuildAsync(projection, progress, ct, () => PauseAsync(projection.Name, ct));

    /// <summary>Rebuilds several projections with one read of the log and swaps them together; this host pauses each only for the swap.</summary>
    public Task RebuildAsync(IReadOnlyList<IProjection> projections, IProgress<RebuildProgress>? progress, CancellationToken ct) =>
        new ProjectionMaintenance(store, database).RebuildAsync(projections, progress, ct, p => PauseAsync(p.Name, ct));

    /// <summary>Rebuilds one projection from the log beside the live tables and lists every row that differs.</summary>
    public Task<IReadOnlyList<RowDifference>> VerifyAsync(IProjection projection, CancellationToken ct) =>
        new ProjectionMaintenance(store, database).VerifyAsync(projection, ct, () => PauseAsync(projection.Name, ct));

    sealed class Resume(Action resume) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            resume();
            return ValueTask.CompletedTask;
        }
    }

    // A PostgreSQL lease dies with its connection (a server restart): stop running at once, so that two processes never
    // project together for longer than one check.
    async Task WatchAsync(RunnerLease lease, CancellationTokenSource running)
    {
        try
        {
            while (!running.IsCancellationRequested)
            {
                await Task.Delay(LeaseRetry, running.Token);
                if (!await lease.IsHeldAsync(running.Token)) await running.CancelAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
