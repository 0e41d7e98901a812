namespace EventSourcedOms.EventStore.Sqlite;

public sealed record SqliteEventStoreOptions
{
    /// <summary>The database file; created with its folder if missing.</summary>
    public required string Path { get; init; }

    /// <summary>SQLite's <c>synchronous</c> setting for the writer: FULL (default, durable on power loss), NORMAL or EXTRA.</summary>
    public string Synchronous { get; init; } = "FULL";

    public EventStoreLimits Limits { get; init; } = new();

    /// <summary>How long to wait for another process holding the write lock before reporting the store unavailable.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most appends grouped into one transaction (one fsync).</summary>
    public int MaxAppendsPerCommit { get; init; } = 512;

    /// <summary>Live subscriptions are woken in-process at once; appends by another process on the same file (say, a
    /// separate projection worker) are seen by this poll, two cheap indexed queries.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
