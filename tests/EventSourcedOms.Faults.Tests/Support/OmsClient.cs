using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EventSourcedOms.Faults.Tests.Support;

/// <summary>What a command is, for the checks afterwards.</summary>
public enum Kind { Receive, Place, StartPicking, Pick, Pack, Ship, Cancel }

/// <summary>An answer the API gave (any status below 500): the request was acknowledged, accepted or rejected.</summary>
public sealed record Answer(Kind Kind, string? Key, string Method, string Path, string? Body, int Status, string Text, int Node, string? OrderId)
{
    public JsonNode? Json => Text.Length == 0 ? null : JsonNode.Parse(Text);
    public string? Code => Json?["code"]?.GetValue<string>();
    public long Position => Json!["position"]!.GetValue<long>();
    public bool Accepted => Status is >= 200 and < 300;
    public TimeSpan Sent { get; init; }
    public TimeSpan Ended { get; init; }
}

/// <summary>A request that got no answer (transport error, timeout) or a 5xx, with when it was sent and answered.</summary>
public sealed record Failure(TimeSpan Sent, TimeSpan Ended, string Path, int? Status, string? Code, string? RetryAfter, string? Error);

/// <summary>
/// An HTTP client of one or more API nodes that does what a careful client does: every command carries an
/// Idempotency-Key, and a request that got no answer or a 5xx is sent again, with the same key and body, until the API
/// answers. Deliberately impatient (100 ms between tries, not Retry-After) to hit the API while it recovers.
/// </summary>
public sealed class OmsClient : IDisposable
{
    public const string ApiKeyName = "faults-admin", ApiKey = "faults-admin-key";

    readonly HttpClient[] _nodes;
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public OmsClient(params string[] baseUrls)
    {
        _nodes = [.. baseUrls.Select(url => new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) })];
        foreach (var node in _nodes) node.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

    public int Nodes => _nodes.Length;

    /// <summary>Time since the client was made: the clock of <see cref="Failure"/>s.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public ConcurrentQueue<Answer> Acknowledged { get; } = new();
    public ConcurrentQueue<Failure> Failures { get; } = new();

    /// <summary>How long a request is retried before the test gives up on it.</summary>
    public TimeSpan RetryFor { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The API key settings for the API processes (environment variables).</summary>
    public static IEnumerable<KeyValuePair<string, string>> ApiKeySettings =>
    [
        new("Oms__ApiKeys__0__Name", ApiKeyName),
        new("Oms__ApiKeys__0__Role", "admin"),
        new("Oms__ApiKeys__0__Hash", "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(ApiKey)))),
    ];

    /// <summary>The request stream in which the idempotency record of <paramref name="key"/> lives (keys are scoped to the API key's name).</summary>
    public static string RequestStream(string key) => $"request-{ApiKeyName}:{key}";

    public Task<Answer> CommandAsync(int node, Kind kind, string path, object? body, string key, string? orderId, CancellationToken ct) =>
        SendAsync(node, kind, HttpMethod.Post, path, body is null ? null : JsonSerializer.Serialize(body, JsonSerializerOptions.Web), key, orderId, ct);

    public Task<Answer> GetAsync(int node, string path, CancellationToken ct) => SendAsync(node, Kind.Place, HttpMethod.Get, path, null, null, null, ct);

    /// <summary>Sends until the API answers below 500; every failed try is kept in <see cref="Failures"/>.</summary>
    public async Task<Answer> SendAsync(int node, Kind kind, HttpMethod method, string path, string? body, string? key, string? orderId, CancellationToken ct)
    {
        var giveUp = Now + RetryFor;
        while (true)
        {
            var (answer, failure) = await TryOnceAsync(node, kind, method, path, body, key, orderId, ct);
            if (answer is not null) return answer;
            if (Now > giveUp) throw new TimeoutException($"{method} {path} got no answer below 500 for {RetryFor.TotalSeconds} s; last: {failure}");
            await Task.Delay(100, ct);
        }
    }

    /// <summary>One try: an answer below 500 (kept in <see cref="Acknowledged"/> when keyed), or a failure (kept in <see cref="Failures"/>).</summary>
    public async Task<(Answer? Answer, Failure? Failure)> TryOnceAsync(int node, Kind kind, HttpMethod method, string path, string? body, string? key, string? orderId,
        CancellationToken ct)
    {
        var sent = Now;
        Failure failure;
        try
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            if (key is not null) request.Headers.Add("Idempotency-Key", key);
            using var response = await _nodes[node % _nodes.Length].SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var status = (int)response.StatusCode;
            if (status < 500)
            {
                var answer = new Answer(kind, key, method.Method, path, body, status, text, node % _nodes.Length, orderId) { Sent = sent, Ended = Now };
                if (key is not null) Acknowledged.Enqueue(answer);
                return (answer, null);
            }
            string? code = null;
            try
            {
                code = JsonNode.Parse(text)?["code"]?.GetValue<string>();
            }
            catch (JsonException)
            {
            }
            failure = new Failure(sent, Now, path, status, code, response.Headers.RetryAfter?.ToString(), null);
        }
        catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException or IOException)
        {
            // A connection the killed node took down; HttpClient does not wrap every such error (connecting to a node
            // that dies at that moment can throw the socket's "Transport endpoint is not connected" as it is).
            failure = new Failure(sent, Now, path, null, null, null, e.Message);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            failure = new Failure(sent, Now, path, null, null, null, "timeout: " + e.Message);
        }
        Failures.Enqueue(failure);
        return (null, failure);
    }

    /// <summary>
    /// Sends every acknowledged command again (same key, same body): the API must give the same answer, so no
    /// acknowledged outcome was lost, and nothing is applied twice (the checks of the store prove the latter).
    /// </summary>
    public async Task AssertAcknowledgedAnswersAreKeptAsync(CancellationToken ct)
    {
        var answers = Acknowledged.Where(a => a.Key is not null).ToList();
        var mismatches = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(answers, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (first, token) =>
        {
            var again = await SendAsync(first.Node + 1, first.Kind, new HttpMethod(first.Method), first.Path, first.Body, first.Key, first.OrderId, token);
            var same = first.Accepted
                ? again.Status == first.Status && JsonNode.DeepEquals(first.Json, again.Json)
                : again.Status == first.Status && again.Code == first.Code;
            if (!same) mismatches.Enqueue($"{first.Key} {first.Path}: first {first.Status} {first.Text}, again {again.Status} {again.Text}");
        });
        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} of {answers.Count} acknowledged answers changed:\n{string.Join('\n', mismatches.Take(10))}");
    }

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
    }
}
