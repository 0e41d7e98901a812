using System.Text.Json;
using EventSourcedOms.Api.Security;
using FastEndpoints;

namespace EventSourcedOms.Api.Features.Orders.GetOrderHistory;

public sealed record Request(string Id);

/// <summary>One stored event as written: <c>occurredAt</c> is the business time, <c>recordedAt</c> the store's commit time.</summary>
public sealed record HistoryEvent(long Revision, long Position, Guid EventId, string Type, DateTimeOffset? OccurredAt, DateTimeOffset RecordedAt,
    string? Actor, string? CorrelationId, string? CausationId, JsonElement Data);

public sealed record Response(string OrderId, IReadOnlyList<HistoryEvent> Events);

public sealed class Endpoint(OrderReader reader) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/api/orders/{id}/history");
        Roles(Access.History);
        Summary(s => s.Summary = "For auditors: the order's raw events with metadata, straight from the event store");
    }

    public override async Task HandleAsync(Request r, CancellationToken ct)
    {
        var events = await reader.EventsAsync(r.Id, ct);
        if (events.Count == 0) { await NotFound.OrderAsync(HttpContext, r.Id); return; }
        await Send.OkAsync(new Response(r.Id, [.. events.Select(e => new HistoryEvent(e.Revision, e.Position, e.EventId, e.Type,
            e.Metadata.OccurredAt, e.RecordedAt, e.Metadata.Actor, e.Metadata.CorrelationId, e.Metadata.CausationId,
            JsonDocument.Parse(e.Data).RootElement))]), ct);
    }
}
