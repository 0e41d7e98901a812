using EventSourcedOms.Api.Security;
using EventSourcedOms.Projections.OrderLines;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Api.Features.Orders.GetOrderLines;

public sealed record Request : ReadRequest
{
    public string Id { get; init; } = "";
}

public sealed record Response(string OrderId, IReadOnlyList<OrderLineRow> Lines);

public sealed class Endpoint(OrderLinesQueries lines) : ReadModelEndpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/api/orders/{id}/lines");
        Roles(Access.ReadModels);
        Summary(s => s.Summary = "An order's lines: ordered, reserved, backordered, picked, packed, shipped, delivered, cancelled");
    }

    protected override IEnumerable<IProjection> Reads => [ReadModelsOf.OrderLines];

    protected override async Task QueryAsync(Request r, CancellationToken ct)
    {
        var rows = await lines.ForOrderAsync(r.Id, ct);
        if (rows.Count > 0) await Send.OkAsync(new Response(r.Id, rows), ct);
        else await NotFound.OrderAsync(HttpContext, r.Id);
    }
}
