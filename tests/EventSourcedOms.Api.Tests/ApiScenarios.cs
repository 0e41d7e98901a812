using System.Net;
using System.Text.Json.Nodes;
using EventSourcedOms.Api.Tests.Support;
using Snapshooter.Xunit3;

namespace EventSourcedOms.Api.Tests;

/// <summary>
/// The API end to end, in-process, on each backend (see Backends.cs): real pipeline, real store, projections running.
/// Snapshots are shared by both backends: the same requests must give the same responses.
/// </summary>
public abstract partial class ApiScenarios
{
    protected abstract Backend NewBackend();

    protected OmsApi NewApi(IReadOnlyDictionary<string, string?>? settings = null) => new(NewBackend(), settings);

    internal static object Address => new { name = "Ada Lovelace", line1 = "1 Main St", city = "Berlin", region = "BE", postalCode = "10115", country = "DE" };

    internal static object Order(string? orderId, string sku = "TSHIRT-BLK-M", int quantity = 2, string? policy = null, string channel = "web") => new
    {
        orderId, channel, customerId = "cust-1", shipTo = Address, currency = "EUR", serviceLevel = "standard",
        promisedShipBy = "2030-01-01T00:00:00Z", lines = new[] { new { lineNo = 1, sku, quantity, unitPrice = 19.90m } }, backorderPolicy = policy,
    };

    static object Import(string reference) => new
    {
        externalReference = reference, placedAt = "2025-03-01T10:00:00Z", customerId = "cust-9", shipTo = Address, currency = "EUR",
        serviceLevel = "express", promisedShipBy = "2025-03-02T18:00:00Z",
        lines = new[] { new { lineNo = 1, sku = "MUG-WHITE", quantity = 3, unitPrice = 8.50m }, new { lineNo = 2, sku = "SOCKS-3PK", quantity = 1, unitPrice = 12m } },
        backorderPolicy = (string?)null,
    };

    static string Snap(string name) => $"{nameof(ApiScenarios)}.{name}";

    [Fact]
    public async Task an_imported_order_goes_from_import_to_delivery_and_every_view_agrees()
    {
        await using var api = NewApi();
        var clerk = api.As("clerk");
        var warehouse = api.As("warehouse");
        foreach (var c in new[] { clerk, warehouse }) c.DefaultRequestHeaders.Add("X-Correlation-Id", "flow-1");
        var responses = new JsonObject();
        void Keep(string step, (int Status, JsonNode? Body, HttpResponseMessage _) r) => responses[step] = new JsonObject { ["status"] = r.Status, ["body"] = r.Body?.DeepClone() };

        var imported = await clerk.PostJsonAsync("/api/channels/marketplace:amazon/orders", Import("AMZ-1001"), new Dictionary<string, string> { ["Idempotency-Key"] = "import-1" });
        Keep("import", imported);
        Assert.Equal(201, imported.Status);
        var id = imported.Body!["id"]!.GetValue<string>();
        Assert.Equal($"/api/orders/{id}", imported.Response.Headers.Location!.OriginalString);

        var again = await clerk.PostJsonAsync("/api/channels/marketplace:amazon/orders", Import("AMZ-1001"));
        Assert.Equal(200, again.Status);
        Assert.False(again.Body!["created"]!.GetValue<bool>());
        Assert.Equal(id, again.Body["id"]!.GetValue<string>());

        Keep("startPicking", await warehouse.PostJsonAsync($"/api/orders/{id}/picking", new { location = "wh-east" }));
        Keep("confirmPick", await warehouse.PostJsonAsync($"/api/orders/{id}/picks", new { location = "wh-east", lines = new[] { new { lineNo = 1, quantity = 3 }, new { lineNo = 2, quantity = 1 } } }));
        Keep("pack", await warehouse.PostJsonAsync($"/api/orders/{id}/packages", new
        {
            location = "wh-east",
            packages = new[] { new { packageId = "pkg-1", weightGrams = 1200, lines = new[] { new { lineNo = 1, quantity = 3 }, new { lineNo = 2, quantity = 1 } } } },
        }));
        Keep("ship", await warehouse.PostJsonAsync($"/api/orders/{id}/shipments", new
        {
            shipmentId = "shp-1", location = "wh-east", carrier = "DHL", service = "express", trackingNumber = "JD0001",
            lines = new[] { new { lineNo = 1, quantity = 3 }, new { lineNo = 2, quantity = 1 } }, shippedAt = "2025-03-02T09:00:00Z",
        }));
        var delivered = await warehouse.PostJsonAsync($"/api/orders/{id}/shipments/shp-1/delivery", new { deliveredAt = "2025-03-04T12:00:00Z" });
        Keep("deliver", delivered);
        Assert.All(responses.Select(r => r.Value!["status"]!.GetValue<int>()), s => Assert.True(s is 200 or 201, $"status {s}"));
        var position = delivered.Body!["position"]!.GetValue<long>();

        // Read-your-writes: each read model has applied the delivery when it answers.
        var analyst = api.As("analyst");
        var auditor = api.As("auditor");
        foreach (var (step, client, url) in new[]
        {
            ("order", analyst, $"/api/orders/{id}?minPosition={position}"),
            ("lines", analyst, $"/api/orders/{id}/lines?minPosition={position}"),
            ("timeline", analyst, $"/api/orders/{id}/timeline?minPosition={position}"),
            ("history", auditor, $"/api/orders/{id}/history"),
            ("stateAtRevision1", auditor, $"/api/orders/{id}/state?revision=1"),
            ("stateNow", auditor, $"/api/orders/{id}/state"),
            ("inventoryMug", analyst, $"/api/inventory/MUG-WHITE?minPosition={position}"),
            ("kpis", analyst, $"/api/dashboards/kpis?from=2025-03-01&to=2025-03-02&minPosition={position}"),
        })
        {
            var r = await client.GetJsonAsync(url);
            Assert.True(r.Status == 200, $"{step}: {r.Status} {r.Body}");
            Assert.False(r.Response.Headers.Contains("X-Read-Model-Stale"), step);
            Keep(step, r);
        }

        Assert.Equal("delivered", responses["order"]!["body"]!["status"]!.GetValue<string>());
        var history = responses["history"]!["body"]!["events"]!.AsArray();
        Assert.All(history, e => Assert.Equal("flow-1", e!["correlationId"]!.GetValue<string>()));
        Assert.Equal("user-clerk", history[0]!["actor"]!.GetValue<string>());
        Assert.Equal("user-warehouse", history[^1]!["actor"]!.GetValue<string>());
        Snapshot.Match(Json.Normalized(responses), Snap("import_to_delivery"));
    }

    [Fact]
    public async Task a_placed_order_answers_201_with_its_location_and_reads_back_at_once()
    {
        await using var api = NewApi();
        var clerk = api.As("clerk");
        var placed = await clerk.PostJsonAsync("/api/orders", Order(null));
        Assert.Equal(201, placed.Status);
        var id = placed.Body!["id"]!.GetValue<string>();
        Assert.Equal("reserved", placed.Body["status"]!.GetValue<string>());
        Assert.Equal("\"1\"", placed.Response.Headers.ETag!.Tag);

        var read = await clerk.GetJsonAsync($"{placed.Response.Headers.Location}?minPosition={placed.Body["position"]}");
        Assert.Equal(200, read.Status);
        Assert.Equal(id, read.Body!["orderId"]!.GetValue<string>());
        Assert.Equal(2, read.Body["units"]!.GetValue<int>());

        var list = await clerk.GetJsonAsync($"/api/orders?sku=TSHIRT-BLK-M&status=reserved&channel=web&location=wh-east&minPosition={placed.Body["position"]}");
        Assert.Equal(200, list.Status);
        Assert.Equal(id, Assert.Single(list.Body!["orders"]!.AsArray())!["orderId"]!.GetValue<string>());

        var inventory = await clerk.GetJsonAsync($"/api/inventory/TSHIRT-BLK-M?minPosition={placed.Body["position"]}");
        Assert.Equal(2, inventory.Body!["reserved"]!.GetValue<int>());
        var status = await clerk.GetJsonAsync($"/api/dashboards/status?minPosition={placed.Body["position"]}");
        Assert.Equal(1, status.Body!["total"]!.GetValue<int>());
        var queue = await api.As("warehouse").GetJsonAsync($"/api/dashboards/fulfillment?minPosition={placed.Body["position"]}");
        Assert.Equal(1, queue.Body!["locations"]!.AsArray().Single(l => l!["location"]!.GetValue<string>() == "wh-east")!["ordersToPick"]!.GetValue<int>());
    }

    [Fact]
    public async Task a_query_waiting_for_a_position_never_reached_answers_stale_after_the_bounded_wait()
    {
        await using var api = NewApi(new Dictionary<string, string?> { ["Oms:ReadYourWritesWait"] = "00:00:00.300" });
        // PostgreSQL positions carry the transaction id in their high bits: any smaller number is reached on a cluster that has run a while.
        var r = await api.As("analyst").GetJsonAsync($"/api/dashboards/status?minPosition={long.MaxValue}");
        Assert.Equal(200, r.Status);
        Assert.Equal("true", Assert.Single(r.Response.Headers.GetValues("X-Read-Model-Stale")));
    }

    [Fact]
    public async Task the_same_idempotency_key_replays_the_first_response_and_a_different_body_is_422()
    {
        await using var api = NewApi();
        var clerk = api.As("clerk");
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = "order-42" };
        var first = await clerk.PostJsonAsync("/api/orders", Order("order-42"), key);
        var head = await api.HeadAsync(atLeast: first.Body!["position"]!.GetValue<long>());
        var second = await clerk.PostJsonAsync("/api/orders", Order("order-42"), key);
        Assert.Equal(201, first.Status);
        Assert.Equal(first.Status, second.Status);
        Assert.Equal(first.Body!.ToJsonString(), second.Body!.ToJsonString());
        Assert.Equal(head, await api.HeadAsync());

        var other = await clerk.PostJsonAsync("/api/orders", Order("order-42", quantity: 3), key);
        Assert.Equal(422, other.Status);
        Assert.Equal("idempotency-key-reused", other.Body!["code"]!.GetValue<string>());
        Assert.Equal(head, await api.HeadAsync());

        // Keys are scoped to the API key: another client's "order-42" is another request.
        var admin = await api.As("admin").PostJsonAsync("/api/orders", Order("order-43"), key);
        Assert.Equal(201, admin.Status);
    }

    [Fact]
    public async Task a_rejected_command_replays_its_rejection()
    {
        await using var api = NewApi();
        var clerk = api.As("clerk");
        var key = new Dictionary<string, string> { ["Idempotency-Key"] = "too-many-caps" };
        var first = await clerk.PostJsonAsync("/api/orders", Order("caps-1", sku: "CAP-NAVY", quantity: 1), key);
        Assert.Equal(409, first.Status);
        await api.As("warehouse").PostJsonAsync("/api/inventory/CAP-NAVY/receipts", new { location = "wh-east", quantity = 10, reference = "po-1" });
        var again = await clerk.PostJsonAsync("/api/orders", Order("caps-1", sku: "CAP-NAVY", quantity: 1), key);
        Assert.Equal(409, again.Status);
        Assert.Equal("insufficient-stock", again.Body!["code"]!.GetValue<string>());
    }
}
