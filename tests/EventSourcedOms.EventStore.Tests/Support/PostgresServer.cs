using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EventSourcedOms.EventStore.Tests.Support;

[assembly: AssemblyFixture(typeof(PostgresServer))]

namespace EventSourcedOms.EventStore.Tests.Support;

/// <summary>
/// A real PostgreSQL for the whole test run: <c>OMS_TEST_POSTGRES</c> if set, otherwise a throwaway cluster started
/// from the installed binaries in a temp folder and removed afterwards. With <c>CI=true</c> a missing server fails
/// the PostgreSQL tests instead of skipping them.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    string? _dataRoot;
    string? _bin;

    public string? ConnectionString { get; private set; }
    public string? Problem { get; private set; }

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The connection string, or a skip (a failure under CI) saying why there is none.</summary>
    public string Require()
    {
        if (ConnectionString is not null) return ConnectionString;
        if (InCi) throw new InvalidOperationException($"CI=true requires PostgreSQL for these tests, but none could be had: {Problem}");
        Assert.Skip($"No PostgreSQL (set OMS_TEST_POSTGRES or install postgresql): {Problem}");
        return null!;
    }

    /// <summary>Removes a test's store (its schema) after the test.</summary>
    public async Task DropSchemaAsync(string schema)
    {
        if (ConnectionString is null) return;
        await using var conn = new Npgsql.NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand($"drop schema if exists \"{schema}\" cascade", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("OMS_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(external))
        {
            ConnectionString = external;
            return;
        }
        try
        {
            ConnectionString = await StartThrowawayClusterAsync();
        }
        catch (Exception e)
        {
            Problem = e.Message;
        }
    }

    async Task<string> StartThrowawayClusterAsync()
    {
        _bin = Environment.GetEnvironmentVariable("PGBIN") ?? FindPostgresBin()
               ?? throw new InvalidOperationException("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin");
        _dataRoot = Path.Combine(Path.GetTempPath(), "oms-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dataRoot);
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["postgres:postgres", _dataRoot], asPostgres: false);

        var data = Path.Combine(_dataRoot, "data");
        var port = FreePort();
        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", data, "-U", "oms", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], asRoot);
        // Durability is not what these tests measure (bench/ runs durable); speed and enough connections are.
        var serverOptions = $"-p {port} -c listen_addresses=127.0.0.1 -k {_dataRoot} -c fsync=off -c synchronous_commit=off " +
                            "-c full_page_writes=off -c max_connections=400 -c shared_buffers=256MB";
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(_dataRoot, "server.log"), "-w", "-t", "60", "-o", serverOptions, "start"], asRoot);
        return $"Host=127.0.0.1;Port={port};Username=oms;Database=postgres;Maximum Pool Size=60";
    }

    /// <summary>The newest installed server's bin folder (<c>/usr/lib/postgresql/N/bin</c>), or null.</summary>
    internal static string? FindPostgresBin() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a server tool (as the postgres user when <paramref name="asPostgres"/>); a failure throws with its output.</summary>
    internal static async Task RunAsync(string file, string[] args, bool asPostgres)
    {
        // initdb and pg_ctl refuse to run as root.
        var psi = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} exited {process.ExitCode}: {await stderr}{await stdout}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataRoot is null || _bin is null) return;
        try
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_dataRoot, "data"), "-m", "immediate", "-w", "stop"], Environment.UserName == "root");
        }
        finally
        {
            Directory.Delete(_dataRoot, recursive: true);
        }
    }
}
