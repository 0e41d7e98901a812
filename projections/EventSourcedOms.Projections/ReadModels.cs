using EventSourcedOms.Projections.FulfilmentQueue;
using EventSourcedOms.Projections.Inventory;
using EventSourcedOms.Projections.OrderLines;
using EventSourcedOms.Projections.OrderSummary;
using EventSourcedOms.Projections.OrderTimeline;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections;

/// <summary>Every read model of the OMS (the KPIs are queries over <c>order_summary</c> and have no projector of their own).</summary>
public static class ReadModels
{
    public static IReadOnlyList<IProjection> All { get; } =
    [
        new OrderSummaryProjection(),
        new OrderLinesProjection(),
        new OrderTimelineProjection(),
        new InventoryProjection(),
        new FulfilmentQueueProjection(),
    ];
}
