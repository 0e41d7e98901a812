using System.Threading.Channels;
using Npgsql;

namespace EventSourcedOms.EventStore.Postgres;

/// <summary>
/// Cross-process wake-ups for live subscriptions. NOTIFY is not sent inside the append: PostgreSQL serialises the
/// commits of notifying transactions on one lock, which would cap append throughput. Instead a background loop sends
/// one coalesced NOTIFY after appends commit, and a LISTEN connection (opened with the first subscription) turns
/// notifications from any process into local wake-ups. Subscriptions of this process are woken directly.
/// </summary>
internal sealed class PostgresNotifications : IAsyncDisposable
{
    readonly NpgsqlDataSource _dataSource;
    readonly ChangeSignal _changes;
    readonly string _channel;
    readonly Channel<bool> _pending = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    readonly CancellationTokenSource _stop = new();
    readonly Task _notifier;
    Task? _listener;
    readonly Lock _gate = new();
    static readonly TimeSpan CoalesceInterval = TimeSpan.FromMilliseconds(2);

    public PostgresNotifications(NpgsqlDataSource dataSource, string schemaName, ChangeSignal changes)
    {
        _dataSource = dataSource;
        _changes = changes;
        _channel = "oms_events_" + PostgresEventStore.LockClass(schemaName).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        _notifier = Task.Run(NotifyLoopAsync);
    }

    /// <summary>Called after an append committed; cheap and never blocks the caller.</summary>
    public void Published() => _pending.Writer.TryWrite(true);

    /// <summary>Subscriptions call this so that appends of other processes wake them too.</summary>
    public void EnsureListening()
    {
        if (_listener is not null) return;
        lock (_gate) _listener ??= Task.Run(ListenLoopAsync);
    }

    async Task NotifyLoopAsync()
    {
        var ct = _stop.Token;
        NpgsqlConnection? conn = null;
        try
        {
            while (await _pending.Reader.WaitToReadAsync(ct))
            {
                _pending.Reader.TryRead(out _);
                try
                {
                    conn ??= await _dataSource.OpenConnectionAsync(ct);
                    await using var cmd = new NpgsqlCommand($"select pg_notify('{_channel}', '')", conn);
                    await cmd.ExecuteNonQueryAsync(ct);
                    // At most one NOTIFY per interval: a lone writer would otherwise pay a second round trip for each
                    // append. Appends in between are covered by the next NOTIFY.
                    await Task.Delay(CoalesceInterval, ct);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // Other processes fall back to polling until the next NOTIFY gets through.
                    if (conn is not null) await conn.DisposeAsync();
                    conn = null;
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
                }
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
            // Stopping: whatever the last NOTIFY ran into (a cancelled wait, a connection broken by an outage) no longer matters.
        }
        finally
        {
            if (conn is not null)
                try { await conn.DisposeAsync(); } catch (Exception) { /* a broken connection may fail to close; it is gone either way */ }
        }
    }

    async Task ListenLoopAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var conn = await _dataSource.OpenConnectionAsync(ct);
                conn.Notification += (_, _) => _changes.Notify();
                await using (var cmd = new NpgsqlCommand($"listen {_channel}", conn))
                    await cmd.ExecuteNonQueryAsync(ct);
                // Anything appended while we were not listening must be read now.
                _changes.Notify();
                while (true) await conn.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                try { await Task.Delay(TimeSpan.FromMilliseconds(500), ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _pending.Writer.TryComplete();
        try { await _notifier; } catch (OperationCanceledException) { }
        if (_listener is not null)
            try { await _listener; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
