using System.Threading.Channels;

namespace EventSourcedOms.EventStore.Tests.Support;

/// <summary>Runs a subscription into a channel so a test can take events one by one with a timeout.</summary>
internal sealed class Follower : IAsyncDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly Channel<RecordedEvent> _events = Channel.CreateUnbounded<RecordedEvent>();
    readonly Task _run;

    public Follower(IEventStore store, FromAll from, EventFilter? filter = null) =>
        _run = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in store.SubscribeToAll(from, filter, _stop.Token)) await _events.Writer.WriteAsync(e);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            finally
            {
                _events.Writer.TryComplete();
            }
        });

    public async Task<List<RecordedEvent>> Take(int count, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        var taken = new List<RecordedEvent>();
        while (taken.Count < count) taken.Add(await _events.Reader.ReadAsync(cts.Token));
        return taken;
    }

    public bool TryTake(out RecordedEvent? e) => _events.Reader.TryRead(out e);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        _stop.Dispose();
    }
}
