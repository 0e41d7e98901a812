using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.EventStore.Tests.Conformance;

/// <summary>
/// The rules every backend must pass, written once. A backend's test class says only how to open a store; opening
/// the same name twice opens the same data (a restart).
/// </summary>
public abstract partial class EventStoreConformance : IAsyncLifetime
{
    readonly List<IEventStore> _opened = [];
    readonly string _name = "t" + Guid.NewGuid().ToString("N")[..12];

    protected IEventStore Store { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens the store called <paramref name="name"/>; live subscriptions must not rely on polling (use a long poll interval).</summary>
    protected abstract Task<IEventStore> OpenStoreAsync(string name, EventStoreLimits? limits, TimeProvider? time);

    protected async Task<IEventStore> OpenAsync(EventStoreLimits? limits = null, TimeProvider? time = null)
    {
        var store = await OpenStoreAsync(_name, limits, time);
        _opened.Add(store);
        return store;
    }

    public async ValueTask InitializeAsync() => Store = await OpenAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _opened) await store.DisposeAsync();
        await DisposeStorageAsync(_name);
    }

    protected virtual Task DisposeStorageAsync(string name) => Task.CompletedTask;
}
