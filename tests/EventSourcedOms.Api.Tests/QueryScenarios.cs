using System.Diagnostics.Metrics;
using EventSourcedOms.Api.Tests.Support;

namespace EventSourcedOms.Api.Tests;

public abstract partial class ApiScenarios
{
    [Fact]
    public async Task listing_pages_through_every_order_once_newest_first()
    {
        await using var api = NewApi();
        var clerk = api.As("clerk");
        long last = 0;
        for (var i = 0; i < 7; i++) last = (await clerk.PostJsonAsync("/api/orders", Order($"page-{i}", quantity: 1))).Body!["position"]!.GetValue<long>();

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await clerk.GetJsonAsync($"/api/orders?limit=3&minPosition={last}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            Assert.Equal(200, page.Status);
            seen.AddRange(page.Body!["orders"]!.AsArray().Select(o => o!["orderId"]!.GetValue<string>()));
            cursor = page.Body["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"page-{i}").Reverse(), seen);
    }

    [Fact]
    public async Task inventory_lists_filter_by_location_and_safety_stock()
    {
        await using var api = NewApi();
        var warehouse = api.As("warehouse");
        // Safety stock 10 of 20, then an order takes the other 10: nothing left to promise, below the buffer.
        Assert.Equal(200, (await warehouse.SendJsonAsync(HttpMethod.Put, "/api/inventory/HOODIE-GRY-L/locations/wh-east/safety-stock", new { quantity = 10 })).Status);
        var placed = await api.As("clerk").PostJsonAsync("/api/orders", Order("o-safety", sku: "HOODIE-GRY-L", quantity: 10));
        Assert.Equal(201, placed.Status);
        var position = placed.Body!["position"]!.GetValue<long>();

        var below = await warehouse.GetJsonAsync($"/api/inventory?belowSafetyStock=true&minPosition={position}");
        Assert.Equal(["HOODIE-GRY-L@wh-east"], below.Body!["items"]!.AsArray().Select(i => $"{i!["sku"]}@{i["location"]}"));
        var store = await warehouse.GetJsonAsync($"/api/inventory?location=store-downtown&minPosition={position}");
        Assert.All(store.Body!["items"]!.AsArray(), i => Assert.Equal("store-downtown", i!["location"]!.GetValue<string>()));
        Assert.Equal(3, store.Body["items"]!.AsArray().Count); // the demo store stocks three SKUs
    }

    [Fact]
    public async Task commands_are_counted_by_type_and_outcome()
    {
        var counted = new List<(string Command, string Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Name == "oms.commands") l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? command = null, outcome = null;
            foreach (var t in tags) { if (t.Key == "command") command = t.Value as string; else if (t.Key == "outcome") outcome = t.Value as string; }
            lock (counted) counted.Add((command!, outcome!));
        });
        listener.Start();

        await using var api = NewApi();
        await api.As("clerk").PostJsonAsync("/api/orders", Order("o-metric-1"));
        await api.As("clerk").PostJsonAsync("/api/orders", Order("o-metric-2", sku: "CAP-NAVY"));
        lock (counted)
        {
            Assert.Contains(("PlaceOrder", "ok"), counted);
            Assert.Contains(("PlaceOrder", "rejected"), counted);
        }
    }
}

public abstract partial class ApiScenarios
{
    [Fact]
    public async Task the_remaining_commands_succeed_on_their_happy_path()
    {
        await using var api = NewApi();
        var clerk = api.As("clerk");
        var warehouse = api.As("warehouse");
        Assert.Equal(201, (await clerk.PostJsonAsync("/api/orders", Order("o-happy", quantity: 5))).Status);

        var held = await clerk.PostJsonAsync("/api/orders/o-happy/hold", new { reason = "address", note = "check the street" });
        Assert.Equal(200, held.Status);
        var released = await clerk.PostJsonAsync("/api/orders/o-happy/release");
        Assert.Equal((200, "reserved"), (released.Status, released.Body!["status"]!.GetValue<string>()));
        var lineCancelled = await clerk.PostJsonAsync("/api/orders/o-happy/lines/1/cancel", new { quantity = 2, reason = "customer asked" });
        Assert.Equal((200, "reserved"), (lineCancelled.Status, lineCancelled.Body!["status"]!.GetValue<string>()));

        var adjusted = await warehouse.PostJsonAsync("/api/inventory/SOCKS-3PK/adjustments", new { location = "wh-east", delta = -3, reason = "damage", note = "wet box" });
        Assert.Equal((200, "SOCKS-3PK@wh-east"), (adjusted.Status, adjusted.Body!["id"]!.GetValue<string>()));
        var defined = await api.As("admin").PostJsonAsync("/api/locations", new { locationId = "wh-west", name = "West warehouse", kind = "warehouse", priority = 30, ships = true });
        Assert.Equal((200, "wh-west"), (defined.Status, defined.Body!["id"]!.GetValue<string>()));

        var last = Math.Max(lineCancelled.Body["position"]!.GetValue<long>(), adjusted.Body["position"]!.GetValue<long>());
        var lines = await clerk.GetJsonAsync($"/api/orders/o-happy/lines?minPosition={last}");
        Assert.Equal((5, 2, 3), (lines.Body!["lines"]![0]!["ordered"]!.GetValue<int>(), lines.Body["lines"]![0]!["cancelled"]!.GetValue<int>(), lines.Body["lines"]![0]!["reserved"]!.GetValue<int>()));
        var socks = await warehouse.GetJsonAsync($"/api/inventory/SOCKS-3PK?minPosition={last}");
        Assert.Equal(197 + 20, socks.Body!["onHand"]!.GetValue<int>());
        var tshirts = await warehouse.GetJsonAsync($"/api/inventory/TSHIRT-BLK-M?minPosition={last}");
        Assert.Equal(3, tshirts.Body!["reserved"]!.GetValue<int>());
    }
}

public abstract partial class ApiScenarios
{
    [Fact]
    public async Task the_ship_by_breached_list_is_most_overdue_first_and_pages_in_that_order()
    {
        await using var api = NewApi();
        var clerk = api.As("clerk");
        long last = 0;
        foreach (var (id, due) in new[] { ("late-b", "2025-01-03T00:00:00Z"), ("late-a", "2025-01-01T00:00:00Z"), ("late-c", "2025-01-02T00:00:00Z"), ("on-time", "2099-01-01T00:00:00Z") })
        {
            var body = Parse(Order(id, quantity: 1));
            body["promisedShipBy"] = due;
            last = (await clerk.PostJsonAsync("/api/orders", body.ToJsonString())).Body!["position"]!.GetValue<long>();
        }
        var first = await clerk.GetJsonAsync($"/api/orders?shipByBreached=true&limit=2&minPosition={last}");
        Assert.Equal(["late-a", "late-c"], first.Body!["orders"]!.AsArray().Select(o => o!["orderId"]!.GetValue<string>()));
        var cursor = first.Body["nextCursor"]!.GetValue<string>();
        var second = await clerk.GetJsonAsync($"/api/orders?shipByBreached=true&limit=2&cursor={Uri.EscapeDataString(cursor)}");
        Assert.Equal(["late-b"], second.Body!["orders"]!.AsArray().Select(o => o!["orderId"]!.GetValue<string>()));
        Assert.Null(second.Body["nextCursor"]);
        // A cursor of one sort order is refused by the other.
        Assert.Equal(400, (await clerk.GetJsonAsync($"/api/orders?limit=2&cursor={Uri.EscapeDataString(cursor)}")).Status);
    }
}
