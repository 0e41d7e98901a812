using EventSourcedOms.Application;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EventSourcedOms.Application.Tests.Support;

/// <summary>
/// One OMS process over a shared store: its own container, so its own stream locks and state cache. Two nodes on one
/// store race like two API instances do, through the store's expected revisions only.
/// </summary>
public sealed class OmsNode : IAsyncDisposable
{
    readonly ServiceProvider _services;

    OmsNode(ServiceProvider services) => _services = services;

    public static OmsNode Create(EventStore.IEventStore store, TimeProvider time, Action<Sessions.SessionOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(store);
        services.AddSingleton(time);
        services.AddOmsApplication(configure);
        return new OmsNode(services.BuildServiceProvider());
    }

    public IMediator Mediator => _services.GetRequiredService<IMediator>();

    public async Task<CommandResult> Send(OmsCommand command) => await Mediator.Send(command, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

public static class Clock
{
    public static FakeTimeProvider At(string iso) => new(DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture));
}
