using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace EventSourcedOms.Bench;

/// <summary>
/// The API as a deployment runs it: its own process (the Release build of src/EventSourcedOms.Api), configured only by
/// environment variables, on a free loopback port, with a fresh store (SQLite file or PostgreSQL schemas) and two
/// random API keys (clerk for the load, admin for the setup). Its output goes to a log file, shown if it fails.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    const string Project = "src/EventSourcedOms.Api/EventSourcedOms.Api.csproj";
    readonly Process _process;
    readonly string _log;

    ApiProcess(Process process, string log, Uri url, string clerkKey, string adminKey)
    {
        _process = process;
        _log = log;
        Url = url;
        ClerkKey = clerkKey;
        AdminKey = adminKey;
    }

    public Uri Url { get; }
    public string ClerkKey { get; }
    public string AdminKey { get; }
    public int Pid => _process.Id;

    /// <summary>Each projection's status as <c>/health/ready</c> reports it (pending counted up to 10,000; error when it stopped).</summary>
    public async Task<List<(string Name, long Pending, long Position, string? Error)>> ProjectionsAsync()
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        using var doc = System.Text.Json.JsonDocument.Parse(await (await http.GetAsync("/health/ready")).Content.ReadAsStringAsync());
        return [.. doc.RootElement.GetProperty("checks").EnumerateObject()
            .Where(c => c.Value.TryGetProperty("data", out _))
            .SelectMany(c => c.Value.GetProperty("data").EnumerateObject())
            .Where(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.Object && p.Value.TryGetProperty("pending", out _))
            .Select(p => (p.Name, p.Value.GetProperty("pending").GetInt64(), p.Value.GetProperty("position").GetInt64(),
                p.Value.TryGetProperty("error", out var e) && e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString() : null))];
    }

    /// <summary>Peak and current resident set size in MB (VmHWM, VmRSS of /proc/&lt;pid&gt;/status).</summary>
    public (double PeakMb, double CurrentMb) Memory()
    {
        double Field(string[] lines, string name) =>
            long.Parse(lines.First(l => l.StartsWith(name, StringComparison.Ordinal))[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        return (Field(status, "VmHWM"), Field(status, "VmRSS"));
    }

    /// <summary>CPU time of the API process so far (all threads).</summary>
    public TimeSpan Cpu
    {
        get { _process.Refresh(); return _process.TotalProcessorTime; }
    }

    /// <summary>Builds the API in Release once (the harness itself does not reference it: it must not run in-process).</summary>
    public static string Build()
    {
        var root = RepositoryRoot();
        Run("dotnet", $"build -c Release -nologo -v q {Project}", root);
        var dll = Path.Combine(root, "src/EventSourcedOms.Api/bin/Release/net10.0/EventSourcedOms.Api.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("The API build left no dll", dll);
    }

    /// <summary>The store of <paramref name="name"/>: SQLite <c>&lt;sqlite-dir&gt;/&lt;name&gt;/oms.db</c>, PostgreSQL schemas <c>name</c> and <c>name_read</c>.</summary>
    public static string SqlitePath(BenchOptions options, string name) => Path.Combine(options.SqliteDirectory, name, "oms.db");

    /// <summary>Starts the API on the store of <paramref name="name"/>, emptied first unless <paramref name="fresh"/> is false.</summary>
    public static async Task<ApiProcess> StartAsync(string dll, string backend, BenchOptions options, string name, bool fresh = true)
    {
        var port = FreePort();
        var (clerkKey, adminKey) = (RandomKey(), RandomKey());
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, // content root: appsettings.json, not the Development keys
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var env = start.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        env["Logging__LogLevel__Default"] = "Warning";
        env["MALLOC_ARENA_MAX"] = "2";  // as the image runs it (Dockerfile; docs/operations.md, "Memory")
        env["Oms__ApiKeys__0__Name"] = "bench";
        env["Oms__ApiKeys__0__Role"] = "clerk";
        env["Oms__ApiKeys__0__Hash"] = Hash(clerkKey);
        env["Oms__ApiKeys__1__Name"] = "bench-admin";
        env["Oms__ApiKeys__1__Role"] = "admin";
        env["Oms__ApiKeys__1__Hash"] = Hash(adminKey);
        if (backend == "sqlite")
        {
            var dir = Path.GetDirectoryName(SqlitePath(options, name))!;
            if (fresh && Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.CreateDirectory(dir);
            env["Oms__Store"] = "Sqlite";
            env["Oms__DataDirectory"] = dir;
        }
        else
        {
            if (fresh) await BenchData.DropSchemasAsync(options.PostgresConnection!, name);
            env["Oms__Store"] = "Postgres";
            env["ConnectionStrings__Oms"] = options.PostgresConnection;
            env["Oms__EventsSchema"] = name;
            env["Oms__ReadSchema"] = name + "_read";
        }
        foreach (var (key, value) in options.ApiEnvironment) env[key] = value;

        var log = Path.Combine(Path.GetTempPath(), $"{name}-api.log");
        var process = ChildProcesses.Track(Process.Start(start)!);
        var writer = new StreamWriter(log) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (writer) writer.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, log, new Uri($"http://127.0.0.1:{port}"), clerkKey, adminKey);
        await api.WaitUntilLiveAsync();
        return api;
    }

    async Task WaitUntilLiveAsync()
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited) break;
            try
            {
                if ((await http.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new InvalidOperationException($"The API did not come up on {Url} (exited: {_process.HasExited}); its log:\n{Tail()}");
    }

    public string Tail(int lines = 40) => File.Exists(_log) ? string.Join('\n', File.ReadLines(_log).TakeLast(lines)) : "(no log)";

    bool _disposed;

    /// <summary>SIGTERM (a graceful shutdown, as a host would stop it), then kill whatever is left after 15 s; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        ChildProcesses.Forget(_process);
        _process.Dispose();
    }

    static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    static string RandomKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, Project))) return dir.FullName;
        throw new InvalidOperationException($"Run the harness from inside the repository (no {Project} above {Environment.CurrentDirectory})");
    }

    internal static string Run(string file, string arguments, string? directory = null)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory ?? Environment.CurrentDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
