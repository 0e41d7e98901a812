using System.Text.Json.Nodes;
using EventSourcedOms.Api.Tests.Support;

namespace EventSourcedOms.Api.Tests;

public abstract partial class ApiScenarios
{
    const string Admin = "admin", Clerk = "clerk", Warehouse = "warehouse", Auditor = "auditor", Analyst = "analyst";
    static readonly string[] Roles = [Admin, Clerk, Warehouse, Auditor, Analyst];

    /// <summary>Every endpoint and the roles that may call it: the access policy as the product promises it (docs/api.md).</summary>
    public static readonly (string Method, string Url, object? Body, string[] Allowed)[] Endpoints =
    [
        ("POST", "/api/orders", Order(null), [Admin, Clerk]),
        ("POST", "/api/channels/web/orders", new { externalReference = "x" }, [Admin, Clerk]),
        ("POST", "/api/orders/o-1/hold", new { reason = "fraud" }, [Admin, Clerk]),
        ("POST", "/api/orders/o-1/release", null, [Admin, Clerk]),
        ("POST", "/api/orders/o-1/cancel", new { reason = "x" }, [Admin, Clerk]),
        ("POST", "/api/orders/o-1/lines/1/cancel", new { quantity = 1, reason = "x" }, [Admin, Clerk]),
        ("POST", "/api/orders/o-1/picking", null, [Admin, Warehouse]),
        ("POST", "/api/orders/o-1/picks", new { location = "wh-east", lines = new[] { new { lineNo = 1, quantity = 1 } } }, [Admin, Warehouse]),
        ("POST", "/api/orders/o-1/packages", new { location = "wh-east", packages = new[] { new { packageId = "p", weightGrams = 1, lines = new[] { new { lineNo = 1, quantity = 1 } } } } }, [Admin, Warehouse]),
        ("POST", "/api/orders/o-1/shipments", new { shipmentId = "s", location = "wh-east", carrier = "c", service = "s", trackingNumber = "t", lines = new[] { new { lineNo = 1, quantity = 1 } } }, [Admin, Warehouse]),
        ("POST", "/api/orders/o-1/shipments/s/delivery", null, [Admin, Warehouse]),
        ("POST", "/api/locations", new { locationId = "loc-x", name = "X", kind = "store", priority = 5, ships = false }, [Admin]),
        ("POST", "/api/inventory/SKU-X/receipts", new { location = "wh-east", quantity = 1, reference = "r" }, [Admin, Warehouse]),
        ("POST", "/api/inventory/SKU-X/adjustments", new { location = "wh-east", delta = -1, reason = "damage" }, [Admin, Warehouse]),
        ("PUT", "/api/inventory/SKU-X/locations/wh-east/safety-stock", new { quantity = 0 }, [Admin, Warehouse]),
        ("GET", "/api/orders/o-1", null, [Admin, Clerk, Warehouse, Analyst]),
        ("GET", "/api/orders", null, [Admin, Clerk, Warehouse, Analyst]),
        ("GET", "/api/orders/o-1/lines", null, [Admin, Clerk, Warehouse, Analyst]),
        ("GET", "/api/orders/o-1/timeline", null, [Admin, Clerk, Warehouse, Analyst]),
        ("GET", "/api/orders/o-1/history", null, [Admin, Auditor]),
        ("GET", "/api/orders/o-1/state", null, [Admin, Auditor]),
        ("GET", "/api/inventory", null, [Admin, Clerk, Warehouse, Analyst]),
        ("GET", "/api/inventory/SKU-X", null, [Admin, Clerk, Warehouse, Analyst]),
        ("GET", "/api/dashboards/status", null, [Admin, Clerk, Warehouse, Analyst]),
        ("GET", "/api/dashboards/fulfillment", null, [Admin, Clerk, Warehouse, Analyst]),
        ("GET", "/api/dashboards/kpis?from=2025-01-01&to=2025-02-01", null, [Admin, Analyst]),
    ];

    [Fact]
    public async Task every_endpoint_admits_exactly_its_roles()
    {
        await using var api = NewApi();
        var failures = new List<string>();
        foreach (var role in Roles)
        {
            var client = api.As(role);
            foreach (var (method, url, body, allowed) in Endpoints)
            {
                var r = await client.SendJsonAsync(new HttpMethod(method), url, body);
                var ok = allowed.Contains(role)
                    ? r.Status is not (401 or 403 or 415) && r.Status < 500
                    : r.Status == 403 && r.Body?["code"]?.GetValue<string>() == "forbidden";
                if (!ok) failures.Add($"{role} {method} {url}: {r.Status} {r.Body?.ToJsonString()}");
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public async Task the_openapi_document_describes_every_route_and_the_api_key()
    {
        await using var api = NewApi();
        var r = await api.As(null).GetJsonAsync("/swagger/v1/swagger.json");
        Assert.Equal(200, r.Status);
        var paths = r.Body!["paths"]!.AsObject();
        foreach (var (method, url, _, _) in Endpoints)
        {
            var template = System.Text.RegularExpressions.Regex.Replace(url.Split('?')[0], @"/o-1(?=/|$)", "/{id}")
                .Replace("/web/", "/{channel}/").Replace("/SKU-X", "/{sku}").Replace("/lines/1/", "/lines/{lineNo}/")
                .Replace("/shipments/s/", "/shipments/{shipmentId}/").Replace("/locations/wh-east/", "/locations/{location}/");
            Assert.True(paths[template]?[method.ToLowerInvariant()] is not null, $"{method} {template} missing from the OpenAPI document");
        }
        Assert.NotNull(r.Body["components"]!["securitySchemes"]!["ApiKey"]);
    }

    [Fact]
    public async Task health_endpoints_say_live_and_ready_without_a_key()
    {
        await using var api = NewApi();
        var client = api.As(null);
        Assert.Equal(200, (await client.GetJsonAsync("/health/live")).Status);
        var ready = await client.GetJsonAsync("/health/ready");
        Assert.Equal(200, ready.Status);
        Assert.Equal("Healthy", ready.Body!["checks"]!["store"]!["status"]!.GetValue<string>());
        Assert.Equal("Healthy", ready.Body["checks"]!["projections"]!["status"]!.GetValue<string>());
    }
}
