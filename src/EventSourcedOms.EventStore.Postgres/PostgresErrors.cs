using System.Net.Sockets;
using Npgsql;

namespace EventSourcedOms.EventStore.Postgres;

/// <summary>Maps a database that cannot be reached or is shutting down to <see cref="EventStoreUnavailableException"/>.</summary>
internal static class PostgresErrors
{
    public static bool IsUnavailable(Exception e, CancellationToken ct) => e switch
    {
        OperationCanceledException when ct.IsCancellationRequested => false,
        PostgresException pg => pg.IsTransient
                                || pg.SqlState.StartsWith("08", StringComparison.Ordinal)   // connection exception
                                || pg.SqlState.StartsWith("53", StringComparison.Ordinal)   // insufficient resources
                                || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)  // shutdown, cannot connect now
                                || pg.SqlState == "25P03",                                  // idle-in-transaction timeout
        NpgsqlException => true,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    public static EventStoreUnavailableException Unavailable(Exception e, bool outcomeUnknown) =>
        new(outcomeUnknown
                ? $"PostgreSQL failed while appending ({e.Message}); the append may or may not have committed: retry it with the same event ids."
                : $"PostgreSQL is unavailable ({e.Message}); nothing was written. Retry later.",
            e, outcomeUnknown);
}
