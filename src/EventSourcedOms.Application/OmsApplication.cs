using EventSourcedOms.Application.Pipeline;
using EventSourcedOms.Application.Sessions;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSourcedOms.Application;

public static class OmsApplication
{
    /// <summary>
    /// Registers the command pipeline (logging/tracing → validation → idempotency → concurrency retry → handler) and the
    /// session factory. The host registers the <see cref="EventSourcedOms.EventStore.IEventStore"/> (PostgreSQL or SQLite),
    /// and may register a <see cref="TimeProvider"/> (the system clock otherwise).
    /// </summary>
    public static IServiceCollection AddOmsApplication(this IServiceCollection services, Action<SessionOptions>? configure = null)
    {
        var options = new SessionOptions();
        configure?.Invoke(options);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SessionFactory>();
        services.AddSingleton<Orders.PlacementBatcher>();
        // A host's logging (AddLogging, WebApplication) takes precedence; without one, logs go nowhere.
        services.TryAddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddMediator((MediatorOptions o) =>
        {
            o.ServiceLifetime = ServiceLifetime.Singleton;
            o.PipelineBehaviors =
            [
                typeof(LoggingBehavior<,>),
                typeof(ValidationBehavior<,>),
                typeof(IdempotencyBehavior<,>),
                typeof(ConcurrencyRetryBehavior<,>),
            ];
        });
        return services;
    }
}
