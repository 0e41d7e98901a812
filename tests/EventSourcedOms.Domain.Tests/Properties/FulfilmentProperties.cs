using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Domain.Tests.Properties;

public sealed class FulfilmentProperties
{
    [Property(MaxTest = 300)]
    public Property stock_orders_and_backorder_queues_agree_after_every_command() =>
        Prop.ForAll(Scenarios.Arbitrary, scenario => { Fulfilment.Run(scenario); });

    [Fact]
    public void generated_scenarios_reach_every_decision_and_the_end_of_the_lifecycle()
    {
        // A property that only ever sees rejected commands proves nothing: make sure the sequences get somewhere, and
        // that the rules which reject commands are met along the way too.
        var models = Scenarios.Generator.Sample(300, new Rnd(20261127UL), 50).Select(Fulfilment.Run).ToList();

        var accepted = models.SelectMany(m => m.Accepted).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        Assert.All(typeof(Command).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Command))),
            kind => Assert.True(accepted.GetValueOrDefault(kind.Name) > 0, $"no {kind.Name} was ever accepted"));
        var codes = models.SelectMany(m => m.Rejected.Keys).Select(k => k[(k.IndexOf(": ", StringComparison.Ordinal) + 2)..]).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            ErrorCodes.InsufficientStock, ErrorCodes.OrderOnHold, ErrorCodes.QuantityExceedsOpen, ErrorCodes.QuantityExceedsReserved,
            ErrorCodes.QuantityExceedsPicked, ErrorCodes.QuantityExceedsPacked, ErrorCodes.AdjustmentBelowCommitted, ErrorCodes.SafetyStockExceedsFree,
        }, codes);
        var statuses = models.SelectMany(m => m.Orders).Select(o => o.Status).ToHashSet();
        Assert.Superset(new HashSet<OrderStatus> { OrderStatus.Backordered, OrderStatus.Picking, OrderStatus.PartiallyShipped, OrderStatus.Delivered, OrderStatus.Cancelled }, statuses);
    }
}
