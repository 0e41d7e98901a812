using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// Makes a read-model connection wait for the file's write lock in steps of about a millisecond, for up to 30 s.
/// SQLite's own busy timeout sleeps 1, 2, 5, 10, … up to 100 ms between tries, so a projection that met the event
/// store's writer (a thousand short commits a second) often slept long after the lock was free: that sleep was most of
/// the projection lag's p99. SQLitePCLRaw does not expose <c>sqlite3_busy_handler</c>, so it is called in the bundled
/// e_sqlite3 library directly; where that is not possible, the connection keeps the busy timeout.
/// </summary>
static unsafe class SqliteBusyWait
{
    const int MaxTries = 30_000;
    static bool _unavailable;

    /// <summary>False once installing the handler failed (no e_sqlite3 to call): connections then use the busy timeout.</summary>
    internal static bool Available => !_unavailable;

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_busy_handler", CallingConvention = CallingConvention.Cdecl)]
    static extern int BusyHandler(IntPtr db, delegate* unmanaged[Cdecl]<IntPtr, int, int> handler, IntPtr arg);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    static int Wait(IntPtr arg, int tries)
    {
        if (tries >= MaxTries) return 0; // give up: the statement fails with SQLITE_BUSY
        Thread.Sleep(1);
        return 1;
    }

    public static void Install(SqliteConnection connection)
    {
        if (!_unavailable)
        {
            try
            {
                if (BusyHandler(connection.Handle!.DangerousGetHandle(), &Wait, IntPtr.Zero) == 0) return;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _unavailable = true;
            }
        }
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "pragma busy_timeout = 30000";
        cmd.ExecuteNonQuery();
    }
}
