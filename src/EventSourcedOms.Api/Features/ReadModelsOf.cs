using EventSourcedOms.Api.Errors;
using EventSourcedOms.Domain;
using EventSourcedOms.Projections;
using EventSourcedOms.Projections.FulfilmentQueue;
using EventSourcedOms.Projections.Inventory;
using EventSourcedOms.Projections.OrderLines;
using EventSourcedOms.Projections.OrderSummary;
using EventSourcedOms.Projections.OrderTimeline;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Api.Features;

/// <summary>The projections the queries read (for read-your-writes waits).</summary>
static class ReadModelsOf
{
    public static IProjection OrderSummary { get; } = ReadModels.All.OfType<OrderSummaryProjection>().Single();
    public static IProjection OrderLines { get; } = ReadModels.All.OfType<OrderLinesProjection>().Single();
    public static IProjection OrderTimeline { get; } = ReadModels.All.OfType<OrderTimelineProjection>().Single();
    public static IProjection Inventory { get; } = ReadModels.All.OfType<InventoryProjection>().Single();
    public static IProjection FulfilmentQueue { get; } = ReadModels.All.OfType<FulfilmentQueueProjection>().Single();
}

static class NotFound
{
    public static Task OrderAsync(HttpContext context, string orderId) =>
        ApiProblem.Of(404, ErrorCodes.OrderNotFound, "Order not found", $"There is no order '{orderId}' (or the read model has not seen it yet: pass minPosition).").WriteAsync(context);
}
