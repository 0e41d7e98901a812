using Microsoft.Data.Sqlite;

namespace EventSourcedOms.EventStore.Sqlite;

internal static class SqliteErrors
{
    // Primary result codes: https://sqlite.org/rescode.html
    const int Busy = 5, Locked = 6, ReadOnly = 8, IoErr = 10, Corrupt = 11, Full = 13, CantOpen = 14, NotADb = 26;

    public static bool IsUnavailable(SqliteException e) =>
        e.SqliteErrorCode is Busy or Locked or ReadOnly or IoErr or Corrupt or Full or CantOpen or NotADb;

    public static EventStoreUnavailableException Unavailable(SqliteException e, bool outcomeUnknown) =>
        new(outcomeUnknown
                ? $"SQLite failed while committing ({e.Message}); the append may or may not have committed: retry it with the same event ids."
                : $"The SQLite database is unavailable ({e.Message}); nothing was written. Retry later.",
            e, outcomeUnknown);
}
