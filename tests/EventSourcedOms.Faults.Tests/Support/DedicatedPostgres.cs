using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.Faults.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL cluster that one test owns, so that it can stop and start the server (same data folder,
/// same port) without disturbing the shared <see cref="PostgresServer"/> other tests use. Needs the server binaries
/// (<c>/usr/lib/postgresql/*/bin</c> or <c>PGBIN</c>); without them the test is skipped, or fails under <c>CI=true</c>.
/// </summary>
public sealed class DedicatedPostgres : IAsyncDisposable
{
    readonly string _bin;
    readonly string _root = Path.Combine(Path.GetTempPath(), "oms-pg-faults-" + Guid.NewGuid().ToString("N")[..8]);
    readonly int _port = PortOutsideEphemeralRange();
    static readonly bool AsRoot = Environment.UserName == "root";

    DedicatedPostgres(string bin) => _bin = bin;

    string Data => Path.Combine(_root, "data");

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=oms;Database=postgres;Maximum Pool Size=40";

    public static async Task<DedicatedPostgres> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("PGBIN") ?? PostgresServer.FindPostgresBin();
        if (bin is null)
        {
            const string why = "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (install postgresql or set PGBIN)";
            if (PostgresServer.InCi) throw new InvalidOperationException("CI=true requires PostgreSQL for this test: " + why);
            Assert.Skip(why);
        }
        var server = new DedicatedPostgres(bin!);
        Directory.CreateDirectory(server._root);
        if (AsRoot) await PostgresServer.RunAsync("chown", ["postgres:postgres", server._root], asPostgres: false);
        await server.RunAsync("initdb", ["-D", server.Data, "-U", "oms", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
        await server.StartServerAsync();
        return server;
    }

    /// <summary>Starts the server and returns once it accepts connections.</summary>
    public Task StartServerAsync() =>
        // Durability is not what the restart test measures (a clean shutdown loses nothing); speed is.
        RunAsync("pg_ctl", ["-D", Data, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60",
            "-o", $"-p {_port} -c listen_addresses=127.0.0.1 -k {_root} -c fsync=off -c full_page_writes=off -c max_connections=200", "start"]);

    /// <summary><c>pg_ctl stop -m fast</c>: open sessions are terminated and the server shuts down cleanly.</summary>
    public Task StopServerAsync() => RunAsync("pg_ctl", ["-D", Data, "-m", "fast", "-w", "-t", "60", "stop"]);

    /// <summary>
    /// A free port below the kernel's ephemeral range. While the server is down, a port from that range may be taken
    /// as the local end of any outgoing connection, including the API's own reconnect attempts to that very port
    /// (a TCP self-connect), and the server could not come back on it.
    /// </summary>
    static int PortOutsideEphemeralRange()
    {
        var low = 32768;
        try
        {
            low = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0],
                System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
        }
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(Math.Max(1024, low - 12000), low);
            try
            {
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 100)
            {
            }
        }
    }

    /// <summary>The end of the server's log, for failure messages.</summary>
    public string LogTail(int lines = 30)
    {
        var path = Path.Combine(_root, "server.log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "(no server log)";
    }

    Task RunAsync(string tool, string[] args) => PostgresServer.RunAsync(Path.Combine(_bin, tool), args, AsRoot);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Not running (the test failed while it was stopped).
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
