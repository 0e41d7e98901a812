using System.Net;
using System.Net.Sockets;

namespace EventSourcedOms.EventStore.Tests.Support;

/// <summary>
/// Forwards a local port to the database so a test can cut the connection (an outage as the application sees it: the
/// server is gone mid-use) and bring it back on the same port.
/// </summary>
internal sealed class TcpProxy(int targetPort) : IAsyncDisposable
{
    TcpListener? _listener;
    CancellationTokenSource _cut = new();
    readonly List<TcpClient> _clients = [];

    public int Port { get; private set; }

    public void Start()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _cut = new CancellationTokenSource();
        _ = AcceptLoop(_listener, _cut.Token);
    }

    async Task AcceptLoop(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(ct); }
            catch (Exception) { return; }
            var upstream = new TcpClient();
            try { await upstream.ConnectAsync(IPAddress.Loopback, targetPort, ct); }
            catch (Exception) { client.Dispose(); upstream.Dispose(); continue; }
            lock (_clients) _clients.AddRange([client, upstream]);
            _ = Pump(client.GetStream(), upstream.GetStream(), ct);
            _ = Pump(upstream.GetStream(), client.GetStream(), ct);
        }
    }

    static async Task Pump(NetworkStream from, NetworkStream to, CancellationToken ct)
    {
        try { await from.CopyToAsync(to, ct); }
        catch (Exception) { /* the other side or the test cut it */ }
        finally { from.Close(); to.Close(); }
    }

    /// <summary>Drops every connection and refuses new ones until <see cref="Start"/>.</summary>
    public void Cut()
    {
        _cut.Cancel();
        _listener?.Stop();
        lock (_clients)
        {
            foreach (var c in _clients) c.Client.Close(0);
            _clients.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
