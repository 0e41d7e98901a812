using System.Text;
using System.Text.Json.Nodes;
using EventSourcedOms.Api.Tests.Support;

namespace EventSourcedOms.Api.Tests;

public abstract partial class ApiScenarios
{
    /// <summary>A request shape to mutate: a valid body, and which of its fields a mutation may break for sure.</summary>
    sealed record Target(string Method, string Url, Func<JsonObject>? Body, string[] Required, string[] Quantities, string[] Texts);

    static JsonObject Parse(object o) => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(o))!.AsObject();

    static readonly Target[] FuzzTargets =
    [
        new("POST", "/api/orders", () => Parse(Order("fz-1")), ["channel", "customerId", "shipTo", "currency", "serviceLevel", "lines"], ["lines.0.quantity", "lines.0.lineNo"], ["customerId", "shipTo.name", "shipTo.city", "serviceLevel"]),
        new("POST", "/api/channels/web/orders", () => { var o = Parse(Order(null)); o.Remove("orderId"); o.Remove("channel"); o["externalReference"] = "ext-1"; o["placedAt"] = "2025-01-01T00:00:00Z"; return o; },
            ["externalReference", "placedAt", "customerId", "shipTo", "lines"], ["lines.0.quantity"], ["externalReference", "customerId"]),
        new("POST", "/api/orders/fz-order/hold", () => Parse(new { reason = "fraud", note = "n" }), ["reason"], [], ["note"]),
        new("POST", "/api/orders/fz-order/cancel", () => Parse(new { reason = "r" }), ["reason"], [], ["reason"]),
        new("POST", "/api/orders/fz-order/lines/1/cancel", () => Parse(new { quantity = 1, reason = "r" }), ["reason"], ["quantity"], ["reason"]),
        new("POST", "/api/orders/fz-order/picks", () => Parse(new { location = "wh-east", lines = new[] { new { lineNo = 1, quantity = 1 } } }), ["location", "lines"], ["lines.0.quantity"], []),
        new("POST", "/api/orders/fz-order/packages", () => Parse(new { location = "wh-east", packages = new[] { new { packageId = "p", weightGrams = 10, lines = new[] { new { lineNo = 1, quantity = 1 } } } } }),
            ["location", "packages"], ["packages.0.weightGrams", "packages.0.lines.0.quantity"], []),
        new("POST", "/api/orders/fz-order/shipments", () => Parse(new { shipmentId = "s", location = "wh-east", carrier = "c", service = "s", trackingNumber = "t", lines = new[] { new { lineNo = 1, quantity = 1 } } }),
            ["shipmentId", "location", "carrier", "lines"], ["lines.0.quantity"], ["carrier", "service", "trackingNumber"]),
        new("POST", "/api/locations", () => Parse(new { locationId = "fz-loc", name = "N", kind = "store", priority = 1, ships = true }), ["locationId", "name", "kind"], ["priority"], ["name"]),
        new("POST", "/api/inventory/FZ-SKU/receipts", () => Parse(new { location = "wh-east", quantity = 5, reference = "r" }), ["location", "reference"], ["quantity"], ["reference"]),
        new("POST", "/api/inventory/FZ-SKU/adjustments", () => Parse(new { location = "wh-east", delta = 5, reason = "found" }), ["location", "reason"], [], ["note"]),
        new("PUT", "/api/inventory/FZ-SKU/locations/wh-east/safety-stock", () => Parse(new { quantity = 1 }), [], ["quantity"], []),
    ];

    static readonly string[] Nasty =
    [
        "' OR 1=1 --", "\"; drop table order_summary; --", "%", "_", "\\", "\u0000", "\u001b[31m", "\u202e", "\ud83d\ude00", "a\u0007b", "\r\n", new string('x', 5000), "null", "{}", "<script>",
    ];

    [Fact]
    public async Task ten_thousand_bad_requests_get_problem_details_never_a_5xx_and_write_nothing()
    {
        await using var api = NewApi();
        var client = api.As("admin");
        var head = await api.HeadAsync();
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        var failures = new List<string>();
        for (var i = 0; i < 10_000 && failures.Count < 20; i++)
        {
            var (method, url, body) = random.Next(6) == 0 ? BadQuery(random) : BadCommand(random);
            var r = await client.SendJsonAsync(new HttpMethod(method), url, body);
            var problem = r.Body as JsonObject;
            if (r.Status >= 500 || r.Status < 400 || r.Response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                || problem?["type"] is null || problem["status"]?.GetValue<int>() != r.Status)
                failures.Add($"{method} {url} {Shorten(body)} -> {r.Status} {Shorten(r.Body?.ToJsonString())}");
        }
        Assert.True(failures.Count == 0, $"seed {seed}:\n" + string.Join("\n", failures));
        Assert.Equal(head, await api.HeadAsync());
    }

    static string? Shorten(string? s) => s is { Length: > 300 } ? s[..300] + "…" : s;

    static (string, string, string?) BadCommand(Random random)
    {
        var target = FuzzTargets[random.Next(FuzzTargets.Length)];
        var body = target.Body!();
        // One mutation that makes the request invalid for sure, then maybe some noise on top.
        var text = Poison(random, target, body);
        return (target.Method, target.Url, text);
    }

    static string Poison(Random random, Target t, JsonObject body)
    {
        switch (random.Next(10))
        {
            case 0: body["zz" + random.Next(1000)] = 1; break;                                       // unknown field
            case 1 when t.Required.Length > 0: Remove(body, t.Required[random.Next(t.Required.Length)]); break; // missing field
            case 2 when t.Required.Length > 0: Set(body, t.Required[random.Next(t.Required.Length)], WrongType(random)); break;
            case 3 when t.Quantities.Length > 0: Set(body, t.Quantities[random.Next(t.Quantities.Length)], random.Next(2) == 0 ? -random.Next(1, 1000) : 2_000_000_000); break;
            case 4 when t.Quantities.Length > 0:                                                     // numbers no int can hold
                var json = body.ToJsonString();
                var q = t.Quantities[random.Next(t.Quantities.Length)].Split('.')[^1];
                return System.Text.RegularExpressions.Regex.Replace(json, $"\"{q}\":-?\\d+", $"\"{q}\":" + (random.Next(2) == 0 ? "1e400" : "99999999999999999999999"));
            case 5: var s = body.ToJsonString(); return s[..random.Next(1, s.Length - 1)];          // truncated
            case 6: var d = body.ToJsonString(); var first = d.IndexOf(',', StringComparison.Ordinal); // duplicated field
                return first < 0 ? "{\"a\":1,\"a\":2}" : d[..(first + 1)] + d[1..first] + d[first..];
            case 7: return Encoding.UTF8.GetString([.. Enumerable.Range(0, random.Next(1, 200)).Select(_ => (byte)random.Next(1, 256))]); // garbage
            case 8 when t.Texts.Length > 0: Set(body, t.Texts[random.Next(t.Texts.Length)], random.Next(2) == 0 ? "bad\u0001" + Nasty[random.Next(Nasty.Length)] : new string('y', 600)); break;
            default: body["zz"] = Nasty[random.Next(Nasty.Length)]; break;
        }
        if (random.Next(4) == 0) body["yy"] = JsonValue.Create(Nasty[random.Next(Nasty.Length)]); // noise: another unknown field
        return random.Next(50) == 0 ? body.ToJsonString() + new string(' ', 300_000) : body.ToJsonString();
    }

    static JsonNode? WrongType(Random random) => random.Next(5) switch
    {
        0 => JsonValue.Create(12345),
        1 => JsonValue.Create(true),
        2 => new JsonArray(1, 2),
        3 => new JsonObject { ["x"] = 1 },
        _ => null,
    };

    static void Remove(JsonObject body, string path)
    {
        var (parent, key) = Walk(body, path);
        if (parent is JsonObject o) o.Remove(key);
    }

    static void Set(JsonObject body, string path, JsonNode? value)
    {
        var (parent, key) = Walk(body, path);
        switch (parent)
        {
            case JsonObject o: o[key] = value; break;
            case JsonArray a: a[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] = value; break;
        }
    }

    static (JsonNode? Parent, string Key) Walk(JsonObject body, string path)
    {
        var parts = path.Split('.');
        JsonNode? node = body;
        foreach (var p in parts[..^1]) node = int.TryParse(p, out var i) ? node?.AsArray()[i] : node?[p];
        return (node, parts[^1]);
    }

    static (string, string, string?) BadQuery(Random random)
    {
        var nasty = Uri.EscapeDataString(Nasty[random.Next(Nasty.Length)]);
        // A bad parameter for sure (the poison), with an injection-looking value in another filter.
        var (path, poison) = random.Next(6) switch
        {
            0 => ("/api/orders", "limit=" + (random.Next(2) == 0 ? "-5" : "abc")),
            1 => ("/api/orders", "status=" + nasty),
            2 => ("/api/orders", "cursor=" + nasty + "x"),
            3 => ("/api/inventory", "limit=100000"),
            4 => ("/api/dashboards/kpis", "from=" + nasty + "&to=2025-01-01"),
            _ => ("/api/orders/x/state", "revision=-" + random.Next(1, 99)),
        };
        var filter = random.Next(4) switch { 0 => "customer", 1 => "channel", 2 => "sku", _ => "location" };
        return ("GET", $"{path}?{poison}&{filter}={nasty}", null);
    }
}
