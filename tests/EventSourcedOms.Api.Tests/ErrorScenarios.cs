using System.Text.Json.Nodes;
using EventSourcedOms.Api.Tests.Support;

namespace EventSourcedOms.Api.Tests;

public abstract partial class ApiScenarios
{
    static void AssertProblem(int expectedStatus, string expectedCode, (int Status, JsonNode? Body, HttpResponseMessage Response) r)
    {
        Assert.True(r.Status == expectedStatus, $"expected {expectedStatus}, got {r.Status}: {r.Body}");
        Assert.Equal("application/problem+json", r.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expectedCode, r.Body!["code"]!.GetValue<string>());
        Assert.Equal("/problems/" + expectedCode, r.Body["type"]!.GetValue<string>());
        Assert.Equal(expectedStatus, r.Body["status"]!.GetValue<int>());
        Assert.NotNull(r.Body["title"]);
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "/api/orders", """{"channel":"web","customerId":"c","bogus":1}""", "bogus" },
        { "/api/orders", """{"lines":[{"lineNo":1,"sku":"A","quantity":"two","unitPrice":1}]}""", "lines[0].quantity" },
        { "/api/orders", """{"lines":[{"lineNo":1,"sku":"A","quantity":99999999999999,"unitPrice":1}]}""", "lines[0].quantity" },
        { "/api/orders", """{"channel":"web","channel":"pos"}""", "channel" },
        { "/api/orders", """{"channel":"web",""", "body" },
        { "/api/orders", """[1,2,3]""", "body" },
        { "/api/orders", """{"channel":"web","customerId":"c","shipTo":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"DE"},"currency":"EUR","serviceLevel":"s","lines":[{"lineNo":1,"sku":"TSHIRT-BLK-M","quantity":-3,"unitPrice":1}]}""", "lines[0].quantity" },
        { "/api/orders", """{"channel":"web","customerId":"c","shipTo":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"DE"},"currency":"EUR","serviceLevel":"s","lines":[{"lineNo":1,"sku":"TSHIRT-BLK-M","quantity":0,"unitPrice":1}]}""", "lines[0].quantity" },
        { "/api/orders", """{"channel":"web","customerId":"c\u0007","shipTo":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"DE"},"currency":"EUR","serviceLevel":"s","lines":[{"lineNo":1,"sku":"TSHIRT-BLK-M","quantity":1,"unitPrice":1}]}""", "customerId" },
        { "/api/orders", """{"channel":"web"}""", "customerId" },
        { "/api/orders/o-1/hold", """{"reason":"because"}""", "reason" },
        { "/api/orders/o-1/lines/1/cancel", """{"quantity":-1,"reason":"x"}""", "quantity" },
        { "/api/inventory/TSHIRT-BLK-M/receipts", """{"location":"wh-east","quantity":0,"reference":"r"}""", "quantity" },
        { "/api/inventory/TSHIRT-BLK-M/adjustments", """{"location":"wh-east","delta":5,"reason":"because"}""", "reason" },
        { "/api/locations", """{"locationId":"bad id!","name":"X","kind":"warehouse","priority":1,"ships":true}""", "locationId" },
        { "/api/channels/WEB SHOP/orders", """{"externalReference":"x"}""", "channel" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task bad_input_is_a_400_naming_the_field_and_writes_nothing(string url, string body, string field)
    {
        await using var api = NewApi();
        var admin = api.As("admin");
        var head = await api.HeadAsync();
        var r = await admin.PostJsonAsync(url, body);
        AssertProblem(400, "validation", r);
        Assert.True(r.Body!["errors"]![field] is not null, $"no error for '{field}' in {r.Body}");
        Assert.Equal(head, await api.HeadAsync());
    }

    [Fact]
    public async Task bad_query_parameters_and_headers_are_400s()
    {
        await using var api = NewApi();
        var admin = api.As("admin");
        AssertProblem(400, "validation", await admin.GetJsonAsync("/api/orders?limit=0"));
        AssertProblem(400, "validation", await admin.GetJsonAsync("/api/orders?limit=abc"));
        AssertProblem(400, "validation", await admin.GetJsonAsync("/api/orders?status=lost"));
        AssertProblem(400, "validation", await admin.GetJsonAsync("/api/orders?cursor=not-a-cursor"));
        AssertProblem(400, "validation", await admin.GetJsonAsync("/api/orders?minPosition=-1"));
        AssertProblem(400, "validation", await admin.GetJsonAsync("/api/dashboards/kpis?from=2025-03-02&to=2025-03-01"));
        AssertProblem(400, "validation", await admin.GetJsonAsync("/api/dashboards/kpis"));
        AssertProblem(400, "validation", await admin.GetJsonAsync("/api/orders/x/state?revision=1&asOf=2025-01-01T00:00:00Z"));
        var head = await api.HeadAsync();
        var key = await admin.PostJsonAsync("/api/orders", Order("o-key"), new Dictionary<string, string> { ["Idempotency-Key"] = "has spaces" });
        AssertProblem(400, "validation", key);
        Assert.NotNull(key.Body!["errors"]!["Idempotency-Key"]);
        AssertProblem(400, "validation", await admin.PostJsonAsync("/api/orders/o-1/release", null, new Dictionary<string, string> { ["If-Match"] = "\"abc\"" }));
        Assert.Equal(head, await api.HeadAsync());
    }

    [Fact]
    public async Task an_oversized_body_is_413_and_writes_nothing()
    {
        await using var api = NewApi();
        var head = await api.HeadAsync();
        var huge = "{\"channel\":\"web\",\"customerId\":\"" + new string('x', 300_000) + "\"}";
        AssertProblem(413, "body-too-large", await api.As("admin").PostJsonAsync("/api/orders", huge));
        Assert.Equal(head, await api.HeadAsync());
    }

    [Fact]
    public async Task an_unknown_order_is_404_for_commands_and_queries()
    {
        await using var api = NewApi();
        var admin = api.As("admin");
        AssertProblem(404, "order-not-found", await admin.PostJsonAsync("/api/orders/nope/hold", new { reason = "fraud" }));
        AssertProblem(404, "order-not-found", await admin.PostJsonAsync("/api/orders/nope/cancel", new { reason = "x" }));
        AssertProblem(404, "order-not-found", await admin.GetJsonAsync("/api/orders/nope"));
        AssertProblem(404, "order-not-found", await admin.GetJsonAsync("/api/orders/nope/lines"));
        AssertProblem(404, "order-not-found", await admin.GetJsonAsync("/api/orders/nope/timeline"));
        AssertProblem(404, "order-not-found", await admin.GetJsonAsync("/api/orders/nope/history"));
        AssertProblem(404, "order-not-found", await admin.GetJsonAsync("/api/orders/nope/state"));
        var r = await admin.GetJsonAsync("/api/nothing-here");
        Assert.Equal(404, r.Status);
    }

    [Fact]
    public async Task an_invalid_transition_is_409_with_the_current_status_and_revision()
    {
        await using var api = NewApi();
        var admin = api.As("admin");
        await admin.PostJsonAsync("/api/orders", Order("o-409"));
        Assert.Equal(200, (await admin.PostJsonAsync("/api/orders/o-409/cancel", new { reason = "customer changed mind" })).Status);
        var r = await admin.PostJsonAsync("/api/orders/o-409/hold", new { reason = "fraud" });
        AssertProblem(409, "order-cancelled", r);
        Assert.Equal("cancelled", r.Body!["currentStatus"]!.GetValue<string>());
        Assert.Equal(2, r.Body["currentRevision"]!.GetValue<long>());
    }

    [Fact]
    public async Task insufficient_stock_is_409_listing_the_short_lines_and_writes_nothing()
    {
        await using var api = NewApi();
        var head = await api.HeadAsync();
        var r = await api.As("clerk").PostJsonAsync("/api/orders", Order("o-short", sku: "HOODIE-GRY-L", quantity: 25));
        AssertProblem(409, "insufficient-stock", r);
        var line = Assert.Single(r.Body!["shortLines"]!.AsArray())!;
        Assert.Equal("HOODIE-GRY-L", line["sku"]!.GetValue<string>());
        Assert.Equal(25, line["requested"]!.GetValue<int>());
        Assert.Equal(20, line["available"]!.GetValue<int>());
        Assert.Equal(head, await api.HeadAsync());

        var backordered = await api.As("clerk").PostJsonAsync("/api/orders", Order("o-back", sku: "HOODIE-GRY-L", quantity: 25, policy: "backorder"));
        Assert.Equal(201, backordered.Status);
        Assert.Equal("partially-backordered", backordered.Body!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task if_match_guards_against_acting_on_a_stale_read()
    {
        await using var api = NewApi();
        var admin = api.As("admin");
        var placed = await admin.PostJsonAsync("/api/orders", Order("o-etag"));
        var etag = placed.Response.Headers.ETag!.Tag;
        var held = await admin.PostJsonAsync("/api/orders/o-etag/hold", new { reason = "payment" }, new Dictionary<string, string> { ["If-Match"] = etag });
        Assert.Equal(200, held.Status);
        var head = await api.HeadAsync(atLeast: held.Body!["position"]!.GetValue<long>());
        var stale = await admin.PostJsonAsync("/api/orders/o-etag/release", null, new Dictionary<string, string> { ["If-Match"] = etag });
        AssertProblem(409, "revision-conflict", stale);
        Assert.Equal(held.Body!["revision"]!.GetValue<long>(), stale.Body!["currentRevision"]!.GetValue<long>());
        Assert.Equal(head, await api.HeadAsync());
    }

    [Fact]
    public async Task requests_without_a_valid_key_are_401()
    {
        await using var api = NewApi();
        AssertProblem(401, "unauthorized", await api.As(null).GetJsonAsync("/api/orders"));
        var wrong = api.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "not-a-key");
        AssertProblem(401, "unauthorized", await wrong.PostJsonAsync("/api/orders", Order("o-401")));
    }
}

public abstract partial class ApiScenarios
{
    [Fact]
    public async Task a_retried_command_with_if_match_and_idempotency_key_answers_as_the_first_time()
    {
        await using var api = NewApi();
        var admin = api.As("admin");
        var placed = await admin.PostJsonAsync("/api/orders", Order("o-retry"));
        var headers = new Dictionary<string, string> { ["If-Match"] = placed.Response.Headers.ETag!.Tag, ["Idempotency-Key"] = "hold-once" };
        var first = await admin.PostJsonAsync("/api/orders/o-retry/hold", new { reason = "payment" }, headers);
        var again = await admin.PostJsonAsync("/api/orders/o-retry/hold", new { reason = "payment" }, headers);
        Assert.Equal(200, first.Status);
        Assert.Equal((first.Status, first.Body!.ToJsonString()), (again.Status, again.Body!.ToJsonString()));
    }
}
