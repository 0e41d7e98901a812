namespace EventSourcedOms.EventStore.Postgres;

public sealed record PostgresEventStoreOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=localhost;Username=oms;Password=…;Database=oms</c>.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The schema holding the event tables; created if missing. One schema is one store.</summary>
    public string Schema { get; init; } = "oms";

    public EventStoreLimits Limits { get; init; } = new();

    /// <summary>
    /// Set on the store's own connections. Every open write transaction holds back the <c>$all</c> feed (readers never
    /// pass an event an older transaction could still precede), so an idle one must not live long.
    /// </summary>
    public TimeSpan IdleInTransactionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Fallback re-read for live subscriptions if a LISTEN/NOTIFY wake-up is lost (e.g. a reconnect).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
