using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EventSourcedOms.Api.Tests.Support;

public static class Json
{
    static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendJsonAsync(this HttpClient client, HttpMethod method, string url,
        object? body = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is string raw) request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        foreach (var (k, v) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(k, v);
        var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PostJsonAsync(this HttpClient client, string url, object? body = null,
        IDictionary<string, string>? headers = null) => client.SendJsonAsync(HttpMethod.Post, url, body, headers);

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> GetJsonAsync(this HttpClient client, string url) => client.SendJsonAsync(HttpMethod.Get, url);

    /// <summary>
    /// The body with what differs from run to run masked: store positions, event ids, trace ids, and every instant not
    /// in 2025 (the tests give business times in 2025; everything else is "now").
    /// </summary>
    public static string Normalized(JsonNode? node)
    {
        var copy = node?.DeepClone();
        Mask(copy);
        return copy?.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";
    }

    static readonly HashSet<string> Volatile = ["position", "lastPosition", "eventId", "traceId", "minPosition"];

    static void Mask(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    if (Volatile.Contains(key) && value is not null) o[key] = "<" + key + ">";
                    else if (value is JsonValue v && v.TryGetValue<string>(out var s) && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var t) && s.Length >= 20 && t.Year != 2025)
                        o[key] = "<now>";
                    else Mask(value);
                }
                break;
            case JsonArray a:
                foreach (var item in a) Mask(item);
                break;
        }
    }
}
