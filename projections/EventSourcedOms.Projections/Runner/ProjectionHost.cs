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
/// Runs the projections in the API process (as a hosted service) or in a standalone worker. Per projection, only the
/// holder of its <see cref="RunnerLease"/> runs; the others stand by and take over within <see cref="LeaseRetry"/>
/// after the holder dies. The projections whose leases this process holds run together, as one
/// <see cref="SharedCatchUp"/> following the log: one read, deserialisation and fold of each event for all of them,
/// each with its own checkpoint, transactions and writer. When that set changes (a lease gained or lost, a pause for a
/// rebuild or a verification, its end, a cleared error) the group starts again from the checkpoints. A projection that
/// stopped on a poison event stays stopped (and says so in <see cref="Activities"/> and its checkpoint) until its
/// error is reset; the others go on.
/// </summary>
public sealed class ProjectionHost(IEventStore store, ProjectionDatabase database, IReadOnlyList<IProjection> projections, TimeProvider? time = null)
{
    readonly ConcurrentDictionary<string, ProjectionActivity> _activities = new();
    readonly ConcurrentDictionary<string, bool> _paused = new();
    readonly ConcurrentDictionary<string, RunnerLease> _leases = new();
    CancellationTokenSource? _group;

    public TimeSpan LeaseRetry { get; init; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<IProjection> Projections => projections;

    /// <summary>What each projection is doing here; once the host has stopped, nothing is listed.</summary>
    public IReadOnlyDictionary<string, ProjectionActivity> Activities => _activities;

    public async Task RunAsync(CancellationToken ct)
    {
        await database.MigrateAsync(projections, ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var group = CancellationTokenSource.CreateLinkedTokenSource(ct);
                Volatile.Write(ref _group, group);
                var members = new List<IProjection>();
                Exception? failure;
                try
                {
                    members = await TakeLeasesAsync(ct);
                    failure = await FollowAsync(members, group);
                }
                catch (Exception) when (ct.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception) when (group.IsCancellationRequested)
                {
                    continue;  // a pause while the leases were taken
                }
                catch (Exception e)
                {
                    failure = e;
                }
                if (failure is null || ct.IsCancellationRequested) continue;
                // The store or the read-model database is unreachable: try again shortly, on fresh connections.
                foreach (var projection in members) _activities[projection.Name] = ProjectionActivity.Retrying;
                foreach (var name in _leases.Keys) await ReleaseAsync(name);
                database.ClearPool();
                await Task.Delay(LeaseRetry, ct).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
        finally
        {
            foreach (var name in _leases.Keys) await ReleaseAsync(name);
            // Stopped: nothing runs here any more (a pause, a verify or a rebuild through this host then waits for nothing).
            _activities.Clear();
        }
    }

    /// <summary>Frees the leases of paused projections and takes the free ones of the others; returns those held.</summary>
    async Task<List<IProjection>> TakeLeasesAsync(CancellationToken ct)
    {
        var members = new List<IProjection>();
        foreach (var projection in projections)
        {
            var name = projection.Name;
            if (_paused.GetValueOrDefault(name))
            {
                await ReleaseAsync(name);  // a rebuild or a verification takes it
                _activities[name] = ProjectionActivity.Paused;
                continue;
            }
            if (!_leases.ContainsKey(name) && await RunnerLease.TryAcquireAsync(database, name, ct) is { } lease) _leases[name] = lease;
            if (!_leases.ContainsKey(name))
            {
                _activities[name] = ProjectionActivity.Standby;
                continue;
            }
            members.Add(projection);
        }
        // A projection stopped on a poison event stays Failed until its error is reset (its group skips it meanwhile).
        if (members.Count == 0) return members;
        await using var conn = await database.OpenAsync(ct);
        foreach (var projection in members)
            _activities[projection.Name] = (await Checkpoints.ReadAsync(conn, projection.Name))?.Error is null ? ProjectionActivity.Running : ProjectionActivity.Failed;
        return members;
    }

    /// <summary>
    /// Runs the members until the group is cancelled (the set changes, or the host stops), each set of projections that
    /// read common streams as one <see cref="SharedCatchUp"/>: projections of disjoint streams (inventory reads stock
    /// streams, the others order streams) share no event, so sharing a read would gain nothing and make each wait for the
    /// other's folds (a cold start folds every stock stream once). Returns the failure of the store or the database, if any.
    /// </summary>
    async Task<Exception?> FollowAsync(List<IProjection> members, CancellationTokenSource group)
    {
        Exception? failure = null;
        var watching = WatchAsync(members, group);
        try
        {
            await Task.WhenAll(SharedCatchUp.ByStreams(members).Select(async together =>
            {
                try
                {
                    await new SharedCatchUp(store, database, together, time).FollowAsync(
                        stopped => _activities[stopped.Projection] = ProjectionActivity.Failed, group.Token);
                }
                catch (Exception e) when (!group.IsCancellationRequested)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                    await group.CancelAsync();
                }
            }));
            if (failure is null) await Task.Delay(Timeout.Infinite, group.Token);  // every member stopped: until the set changes
        }
        catch (Exception) when (group.IsCancellationRequested)
        {
            // Stopping, or the set of projections changed: start again from the checkpoints.
        }
        finally
        {
            await group.CancelAsync();
            await watching;
        }
        return failure;
    }

    async Task ReleaseAsync(string projection)
    {
        if (_leases.TryRemove(projection, out var lease)) await lease.DisposeAsync();
    }

    /// <summary>
    /// Ends the group when its set of projections should change: a lease lost (a PostgreSQL lease dies with its
    /// connection, e.g. a server restart: two processes never project together for longer than one check), a free lease
    /// of a projection standing by here, or the error of a stopped projection reset (checked every fifth round).
    /// </summary>
    async Task WatchAsync(List<IProjection> members, CancellationTokenSource group)
    {
        try
        {
            for (var round = 1; !group.IsCancellationRequested; round++)
            {
                await Task.Delay(LeaseRetry, group.Token);
                foreach (var projection in members)
                {
                    if (_leases.TryGetValue(projection.Name, out var lease) && !await lease.IsHeldAsync(group.Token))
                    {
                        await ReleaseAsync(projection.Name);
                        await group.CancelAsync();
                        return;
                    }
                }
                foreach (var projection in projections)
                {
                    var name = projection.Name;
                    if (members.Contains(projection) || _paused.GetValueOrDefault(name)) continue;
                    if (await RunnerLease.TryAcquireAsync(database, name, group.Token) is not { } lease) continue;
                    _leases[name] = lease;
                    await group.CancelAsync();
                    return;
                }
                if (round % 5 != 0) continue;
                var failed = members.Where(p => _activities.GetValueOrDefault(p.Name) == ProjectionActivity.Failed).ToList();
                if (failed.Count == 0) continue;
                await using var conn = await database.OpenAsync(group.Token);
                foreach (var projection in failed)
                    if ((await Checkpoints.ReadAsync(conn, projection.Name))?.Error is null)
                    {
                        await group.CancelAsync();
                        return;
                    }
            }
        }
        catch (Exception) when (group.IsCancellationRequested)
        {
        }
        catch (Exception)
        {
            // The database is unreachable: the group meets that too, and retries.
        }
    }

    /// <summary>
    /// Stops one projection here and frees its lease until the returned handle is disposed (for rebuild and verify,
    /// which take the lease themselves). The rows stay readable meanwhile.
    /// </summary>
    public async Task<IAsyncDisposable> PauseAsync(string projection, CancellationToken ct)
    {
        _paused[projection] = true;
        await RegroupAsync();
        while (_activities.GetValueOrDefault(projection) is not ProjectionActivity.Paused and not ProjectionActivity.Standby)
            await Task.Delay(10, ct);
        return new Resume(async () =>
        {
            _paused[projection] = false;
            await RegroupAsync();
        });
    }

    async Task RegroupAsync()
    {
        try
        {
            if (Volatile.Read(ref _group) is { } group) await group.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // That group had just ended by itself: the next one sees the change.
        }
    }

    /// <summary>Rebuilds one projection into shadow tables and swaps them in; this host pauses it only for the swap.</summary>
    public Task<RebuildTimes> RebuildAsync(IProjection projection, IProgress<RebuildProgress>? progress, CancellationToken ct) =>
        new ProjectionMaintenance(store, database).RebuildAsync(projection, progress, ct, () => PauseAsync(projection.Name, ct));

    /// <summary>Rebuilds several projections with one read of the log and swaps them together; this host pauses each only for the swap.</summary>
    public Task<RebuildTimes> RebuildAsync(IReadOnlyList<IProjection> projections, IProgress<RebuildProgress>? progress, CancellationToken ct) =>
        new ProjectionMaintenance(store, database).RebuildAsync(projections, progress, ct, p => PauseAsync(p.Name, ct));

    /// <summary>Rebuilds one projection from the log beside the live tables and lists every row that differs.</summary>
    public Task<IReadOnlyList<RowDifference>> VerifyAsync(IProjection projection, CancellationToken ct) =>
        new ProjectionMaintenance(store, database).VerifyAsync(projection, ct, () => PauseAsync(projection.Name, ct));

    sealed class Resume(Func<Task> resume) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await resume();
    }
}
