using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EventSourcedOms.Faults.Tests.Support;

/// <summary>
/// The API or the projection worker as a process of its own, started with <c>dotnet exec</c> from its build output
/// (the test project references both, so they are built first). <see cref="KillAsync"/> is <c>kill -9</c>: no
/// shutdown code runs. The last lines of its output are kept for the failure message.
/// </summary>
public sealed class OmsProcess(string name, string dll, IReadOnlyDictionary<string, string> environment) : IAsyncDisposable
{
    readonly ConcurrentQueue<string> _output = new();
    Process? _process;

    public string Name => name;
    public int Starts { get; private set; }
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The API listening on <paramref name="port"/>, configured by environment variables only.</summary>
    public static OmsProcess Api(string name, int port, IReadOnlyDictionary<string, string> settings) =>
        new(name, Dll("EventSourcedOms.Api"), new Dictionary<string, string>(settings)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
        });

    public static OmsProcess Worker(string name, IReadOnlyDictionary<string, string> settings) =>
        new(name, Dll("EventSourcedOms.ProjectionWorker"), settings);

    /// <summary>…/src/&lt;project&gt;/bin/&lt;configuration&gt;/net10.0/&lt;project&gt;.dll, beside this test project's own output.</summary>
    static string Dll(string project)
    {
        var bin = Path.GetDirectoryName(typeof(OmsProcess).Assembly.Location)!;     // …/tests/<project>/bin/<config>/net10.0
        var configuration = Path.GetFileName(Path.GetDirectoryName(bin))!;
        var root = bin[..bin.IndexOf($"{Path.DirectorySeparatorChar}tests{Path.DirectorySeparatorChar}", StringComparison.Ordinal)];
        var dll = Path.Combine(root, "src", project, "bin", configuration, "net10.0", project + ".dll");
        Assert.True(File.Exists(dll), $"build {project} first: {dll}");
        return dll;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Start()
    {
        Assert.False(IsRunning, $"{name} is already running");
        var psi = new ProcessStartInfo("dotnet", ["exec", dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        var process = Process.Start(psi)!;
        var start = ++Starts;
        process.OutputDataReceived += (_, e) => Keep(start, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(start, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    void Keep(int start, string? line)
    {
        if (line is null) return;
        _output.Enqueue($"[{name}#{start}] {line}");
        while (_output.Count > 200) _output.TryDequeue(out _);
    }

    /// <summary>SIGKILL (what <see cref="Process.Kill(bool)"/> sends on Unix), then wait until the process is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        finally
        {
            _process.Dispose();
            _process = null;
        }
    }

    /// <summary>Waits until <paramref name="url"/> answers 200; fails early when the process died.</summary>
    public async Task WaitUntilAnswersAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.True(IsRunning, $"{name} exited with {(_process?.HasExited == true ? _process.ExitCode : -1)}:\n{Output}");
            try
            {
                using var response = await http.GetAsync(url, TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
            }
            Assert.True(deadline.Elapsed < timeout, $"{name} did not answer {url} within {timeout.TotalSeconds} s:\n{Output}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public string Output => string.Join('\n', _output);

    public async ValueTask DisposeAsync() => await KillAsync();
}
