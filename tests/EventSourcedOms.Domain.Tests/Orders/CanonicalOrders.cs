using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Routing;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Orders.OrderEvents;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Orders;

/// <summary>
/// One history per order status, each made by the real decisions so that it is a history the domain can write. The
/// order has line 1 (sku-a × 4) and line 2 (sku-b × 1); each history leaves something for every step the table
/// allows in that status (units to pick, to pack, to ship, a backorder to fill) so those steps can succeed.
/// </summary>
public static class CanonicalOrders
{
    public sealed record History(IReadOnlyList<object> Events)
    {
        public OrderState State => Events.Aggregate(OrderState.Initial, (s, e) => s.When(e));

        public History Then(Func<OrderState, IReadOnlyList<object>> decide) => new([.. Events, .. decide(State)]);
    }

    static readonly OrderPlaced TheOrder = Placed(Line(1, SkuA, 4), Line(2, SkuB, 1));

    static History Place(params Allocation[] allocations)
    {
        var shortages = TheOrder.Lines
            .Select(l => new ShortLine(l.LineNo, l.Sku, l.Quantity, allocations.Where(a => a.LineNo == l.LineNo).Sum(a => a.Quantity)))
            .Where(s => s.Available < s.Requested).ToList();
        return new History([]).Then(s => Order.Place(s, TheOrder, new AllocationPlan(allocations, shortages)));
    }

    /// <summary>Line 1 at wh-1, line 2 at wh-1.</summary>
    public static History Reserved() => Place(Alloc(1, SkuA, Wh1, 4), Alloc(2, SkuB, Wh1, 1));

    /// <summary>Line 1 at wh-1; line 2 backordered.</summary>
    public static History PartiallyBackordered() => Place(Alloc(1, SkuA, Wh1, 4));

    public static History Backordered() => Place();

    /// <summary>Line 1: 4 reserved, 2 picked, 1 packed at wh-1; line 2 backordered.</summary>
    public static History Picking() => PartiallyBackordered()
        .Then(s => Order.StartPicking(s, null, At(10)))
        .Then(s => Order.ConfirmPick(s, Wh1, [Qty(1, 2)], At(20)))
        .Then(s => Order.Pack(s, Wh1, [new Package("p-1", 900, [Qty(1, 1)])], At(30)));

    /// <summary>Both lines packed in full at wh-1.</summary>
    public static History Packed() => Reserved()
        .Then(s => Order.StartPicking(s, null, At(10)))
        .Then(s => Order.ConfirmPick(s, Wh1, [Qty(1, 4), Qty(2, 1)], At(20)))
        .Then(s => Order.Pack(s, Wh1, [new Package("p-1", 900, [Qty(1, 4), Qty(2, 1)])], At(30)));

    /// <summary>Line 1: 4 reserved, 3 picked, 2 packed, 1 shipped (s-1) at wh-1; line 2 backordered.</summary>
    public static History PartiallyShipped() => PartiallyBackordered()
        .Then(s => Order.StartPicking(s, null, At(10)))
        .Then(s => Order.ConfirmPick(s, Wh1, [Qty(1, 3)], At(20)))
        .Then(s => Order.Pack(s, Wh1, [new Package("p-1", 900, [Qty(1, 2)])], At(30)))
        .Then(s => Order.Ship(s, OrderFixture.Shipped("s-1", Wh1, Qty(1, 1))));

    public static History Shipped() => Packed().Then(s => Order.Ship(s, OrderFixture.Shipped("s-1", Wh1, Qty(1, 4), Qty(2, 1))));

    public static History Delivered() => Shipped().Then(s => Order.ConfirmDelivery(s, "s-1", At(3000)));

    public static History Cancelled() => Reserved().Then(s => Order.Cancel(s, Reason, At(9)));

    public static History For(OrderStatus status) => status switch
    {
        OrderStatus.None => new History([]),
        OrderStatus.Reserved => Reserved(),
        OrderStatus.PartiallyBackordered => PartiallyBackordered(),
        OrderStatus.Backordered => Backordered(),
        OrderStatus.Picking => Picking(),
        OrderStatus.Packed => Packed(),
        OrderStatus.PartiallyShipped => PartiallyShipped(),
        OrderStatus.Shipped => Shipped(),
        OrderStatus.Delivered => Delivered(),
        OrderStatus.Cancelled => Cancelled(),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Statuses a hold can be put on: everything before the last unit ships.</summary>
    public static IReadOnlyList<OrderStatus> HeldStatuses { get; } =
        [OrderStatus.Reserved, OrderStatus.PartiallyBackordered, OrderStatus.Backordered, OrderStatus.Picking, OrderStatus.Packed, OrderStatus.PartiallyShipped];

    public static History Held(OrderStatus status) => For(status).Then(Hold);

    /// <summary>A held order whose lines were all cancelled one by one: cancelled, and no longer on hold.</summary>
    public static History HeldThenCancelledLineByLine() =>
        Reserved().Then(Hold).Then(s => Order.CancelLine(s, 1, 4, Reason, At(9))).Then(s => Order.CancelLine(s, 2, 1, Reason, At(9)));

    static IReadOnlyList<object> Hold(OrderState state) => Order.Hold(state, HoldReasons.Fraud, "manual review", At(50));
}
