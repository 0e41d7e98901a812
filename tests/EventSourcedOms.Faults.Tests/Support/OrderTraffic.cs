namespace EventSourcedOms.Faults.Tests.Support;

/// <summary>
/// The load: workers run order flows one after the other until stopped. A flow places an order (one or two lines of
/// plentiful SKUs, sometimes a unit of a scarce one, sometimes with backorders allowed) and then leaves it, cancels it,
/// or ships it (start picking, confirm the pick, pack, ship). Every command has its own Idempotency-Key; a flow's
/// steps go to the nodes in turn, so with two API nodes an order placed on one is shipped through the other.
/// </summary>
public sealed class OrderTraffic(OmsClient client, string run)
{
    public const string Location = "wh-east";
    public static readonly string[] Plentiful = ["FLT-A", "FLT-B", "FLT-C"];
    public const string Scarce = "FLT-SCARCE";

    /// <summary>What <see cref="SeedAsync"/> receives: what the stock checks start from.</summary>
    public static readonly IReadOnlyDictionary<string, int> Seeded = new Dictionary<string, int>
    {
        ["FLT-A"] = 1_000_000, ["FLT-B"] = 1_000_000, ["FLT-C"] = 1_000_000, [Scarce] = 40,
    };

    static readonly object Address = new { name = "Ada Lovelace", line1 = "1 Main St", city = "Berlin", postalCode = "10115", country = "DE" };

    int _flows;

    /// <summary>A one-line order of <paramref name="sku"/> (policy reject).</summary>
    public static object Order(string orderId, string sku, int quantity) => new
    {
        orderId, channel = "web", customerId = "cust-probe", shipTo = Address, currency = "EUR", serviceLevel = "standard",
        lines = new[] { new Line(1, sku, quantity, 9.90m) },
    };

    public string Run => run;
    public int Flows => _flows;

    public static string OrderId(string run, int flow) => $"{run}-o{flow}";

    public async Task SeedAsync(CancellationToken ct)
    {
        foreach (var (sku, quantity) in Seeded)
        {
            var answer = await client.CommandAsync(0, Kind.Receive, $"/api/inventory/{sku}/receipts", new { location = Location, quantity, reference = "seed" },
                $"{run}-seed-{sku}", null, ct);
            Assert.True(answer.Accepted, answer.Text);
        }
    }

    /// <summary>Runs <paramref name="workers"/> flows at a time until <paramref name="ct"/> is cancelled.</summary>
    public Task RunAsync(int workers, CancellationToken ct) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await FlowAsync(Interlocked.Increment(ref _flows), ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
            }
        }, CancellationToken.None)));

    public async Task FlowAsync(int flow, CancellationToken ct)
    {
        var random = new Random(HashCode.Combine(run, flow));
        var orderId = OrderId(run, flow);
        var step = 0;
        Task<Answer> Command(Kind kind, string path, object? body) =>
            client.CommandAsync(flow + step++, kind, path, body, $"{run}-{flow}-{kind}", orderId, ct);

        var skus = Plentiful.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).ToList();
        if (random.NextDouble() < 0.15) skus.Add(Scarce);
        var lines = skus.Select((sku, i) => new Line(i + 1, sku, sku == Scarce ? 1 : random.Next(1, 4), 9.90m)).ToArray();
        var policy = random.NextDouble() < 0.1 ? "backorder" : null;
        var placed = await Command(Kind.Place, "/api/orders", new
        {
            orderId, channel = "web", customerId = $"cust-{flow % 17}", shipTo = Address, currency = "EUR", serviceLevel = "standard",
            lines, backorderPolicy = policy,
        });
        if (placed.Status != 201) return;

        var roll = random.NextDouble();
        if (roll < 0.1) return;
        if (roll < 0.35 || placed.Json!["status"]!.GetValue<string>() != "reserved")
        {
            await Command(Kind.Cancel, $"/api/orders/{orderId}/cancel", new { reason = "customer-request" });
            return;
        }
        var quantities = lines.Select(l => new { l.LineNo, l.Quantity }).ToArray();
        if (!(await Command(Kind.StartPicking, $"/api/orders/{orderId}/picking", null)).Accepted) return;
        if (!(await Command(Kind.Pick, $"/api/orders/{orderId}/picks", new { location = Location, lines = quantities })).Accepted) return;
        if (!(await Command(Kind.Pack, $"/api/orders/{orderId}/packages",
                new { location = Location, packages = new[] { new { packageId = $"pkg-{flow}", weightGrams = 700, lines = quantities } } })).Accepted) return;
        await Command(Kind.Ship, $"/api/orders/{orderId}/shipments", new
        {
            shipmentId = $"shp-{flow}", location = Location, carrier = "DHL", service = "standard", trackingNumber = $"TRK{flow}", lines = quantities,
        });
    }

    sealed record Line(int LineNo, string Sku, int Quantity, decimal UnitPrice);
}
