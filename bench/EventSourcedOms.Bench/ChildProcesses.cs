using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EventSourcedOms.Bench;

/// <summary>
/// The processes the harness starts (the API, wrk): killed when the harness is stopped by SIGTERM, SIGINT or SIGHUP, so a
/// stopped benchmark never leaves load running on a shared machine. (AppDomain.ProcessExit does not run on SIGTERM here.)
/// </summary>
internal static class ChildProcesses
{
    static readonly HashSet<Process> Running = [];
    static readonly PosixSignalRegistration[] Registrations =
        [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, _ => KillAll()))];

    public static Process Track(Process process)
    {
        _ = Registrations;
        lock (Running) Running.Add(process);
        return process;
    }

    public static void Forget(Process process)
    {
        lock (Running) Running.Remove(process);
    }

    static void KillAll()
    {
        lock (Running)
            foreach (var p in Running)
                try { if (!p.HasExited) p.Kill(entireProcessTree: true); }
                catch (InvalidOperationException) { } // exited meanwhile
    }
}
