using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace EventSourcedOms.EventStore.Sqlite;

/// <summary>
/// Makes a connection wait for the file's write lock in steps of about a millisecond, for up to a given time. SQLite's
/// own busy timeout sleeps 1, 2, 5, 10, … up to 100 ms between tries, so a writer that met another one often slept long
/// after the lock was free, and lost it again to a writer that tried more often: a read-model connection that met the
/// event store's writer (a thousand short commits a second) waited out most of the projection lag's p99 that way, and the
/// store's writer, waiting behind a rebuild copying its tables in a transaction after another, got in only when one of
/// its long sleeps happened to end in the moment between two of them. Both now use this wait. SQLitePCLRaw does not
/// expose <c>sqlite3_busy_handler</c>, so it is called in the bundled e_sqlite3 library directly; where that is not
/// possible, the connection keeps SQLite's busy timeout.
/// </summary>
public static unsafe class SqliteBusyWait
{
    static bool _unavailable;

    /// <summary>False once installing the handler failed (no e_sqlite3 to call): connections then use the busy timeout.</summary>
    public static bool Available => !_unavailable;

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_busy_handler", CallingConvention = CallingConvention.Cdecl)]
    static extern int BusyHandler(IntPtr db, delegate* unmanaged[Cdecl]<IntPtr, int, int> handler, IntPtr arg);

    /// <summary>When the current wait began (SQLite calls the handler on the thread running the statement, tries counting from 0).</summary>
    [ThreadStatic]
    static long _waitStarted;

    /// <param name="timeoutMs">How long to wait in all, passed as the handler's argument: time, not tries (a millisecond's
    /// sleep takes longer on a busy machine, and ~15 ms on Windows).</param>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    static int Wait(IntPtr timeoutMs, int tries)
    {
        if (tries == 0) _waitStarted = Stopwatch.GetTimestamp();
        else if (Stopwatch.GetElapsedTime(_waitStarted).TotalMilliseconds >= (long)timeoutMs) return 0; // give up: SQLITE_BUSY
        Thread.Sleep(1);
        return 1;
    }

    /// <summary>Makes <paramref name="connection"/> wait up to <paramref name="timeout"/> for a lock another connection holds.</summary>
    public static void Install(SqliteConnection connection, TimeSpan timeout)
    {
        var milliseconds = (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
        if (!_unavailable)
        {
            try
            {
                if (BusyHandler(connection.Handle!.DangerousGetHandle(), &Wait, milliseconds) == 0) return;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _unavailable = true;
            }
        }
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"pragma busy_timeout = {milliseconds}";
        cmd.ExecuteNonQuery();
    }
}
