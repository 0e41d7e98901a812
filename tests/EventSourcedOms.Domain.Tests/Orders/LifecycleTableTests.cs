using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.ErrorCodes;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Orders;

/// <summary>
/// The transition table, cell by cell: every action against a real order in every status (and, where an order can be
/// held, held as well). Where the table allows the action it must succeed, unless one of the rules the table leaves
/// to the decision applies; those are listed in <see cref="ExpectedRejection"/>, each with its reason.
/// </summary>
public sealed class LifecycleTableTests
{
    public static TheoryData<OrderStatus> Statuses => [.. Enum.GetValues<OrderStatus>()];

    public static TheoryData<OrderStatus> HeldStatuses => [.. CanonicalOrders.HeldStatuses];

    public static TheoryData<OrderAction, OrderStatus, bool> Cells
    {
        get
        {
            var cells = new TheoryData<OrderAction, OrderStatus, bool>();
            foreach (var action in Enum.GetValues<OrderAction>())
            {
                foreach (var status in Enum.GetValues<OrderStatus>()) cells.Add(action, status, false);
                foreach (var status in CanonicalOrders.HeldStatuses) cells.Add(action, status, true);
            }
            return cells;
        }
    }

    [Theory, MemberData(nameof(Statuses))]
    public void each_canonical_history_yields_its_status(OrderStatus status) =>
        Assert.Equal(status, CanonicalOrders.For(status).State.Status);

    [Theory, MemberData(nameof(HeldStatuses))]
    public void each_held_history_yields_its_status_and_the_hold(OrderStatus status)
    {
        var state = CanonicalOrders.Held(status).State;
        Assert.Equal((status, HoldReasons.Fraud), (state.Status, state.Hold?.Reason));
    }

    [Fact]
    public void cancelling_every_line_of_a_held_order_one_by_one_lifts_the_hold() =>
        Assert.Equal((OrderStatus.Cancelled, (Hold?)null), (CanonicalOrders.HeldThenCancelledLineByLine().State.Status, CanonicalOrders.HeldThenCancelledLineByLine().State.Hold));

    [Theory, MemberData(nameof(Cells))]
    public void every_action_in_every_status_does_what_the_table_says(OrderAction action, OrderStatus status, bool held)
    {
        var state = (held ? CanonicalOrders.Held(status) : CanonicalOrders.For(status)).State;

        if (ExpectedRejection(action, status, held) is { } code)
        {
            var rejected = Assert.Throws<DomainException>(() => Invoke(action, state));
            Assert.Equal(code, rejected.Code);
            return;
        }
        var events = Invoke(action, state);
        if (!WritesNothing.Contains((action, status))) Assert.NotEmpty(events);
        events.Aggregate(state, (s, e) => s.When(e));
    }

    /// <summary>Allowed, and already done in the canonical order: no event.</summary>
    static readonly HashSet<(OrderAction, OrderStatus)> WritesNothing =
    [
        (OrderAction.StartPicking, OrderStatus.Picking),            // already picking at wh-1, the only location
        (OrderAction.StartPicking, OrderStatus.PartiallyShipped),
        (OrderAction.ConfirmDelivery, OrderStatus.Delivered),       // s-1 was delivered before
    ];

    static string? ExpectedRejection(OrderAction action, OrderStatus status, bool held)
    {
        if (OrderLifecycle.Rejection(action, status) is { } code) return code;
        if (held && action is OrderAction.StartPicking or OrderAction.ConfirmPick or OrderAction.Pack or OrderAction.Ship) return OrderOnHold;
        if (held && action == OrderAction.Hold) return OrderAlreadyOnHold;
        if (!held && action == OrderAction.Release) return OrderNotOnHold;
        // Reserved and Packed mean nothing is backordered, so there is nothing to fill.
        if (action == OrderAction.AllocateBackorder && status is OrderStatus.Reserved or OrderStatus.Packed) return NothingBackordered;
        return null;
    }

    /// <summary>The action with arguments that are valid for the state wherever the state leaves room for them.</summary>
    static IReadOnlyList<object> Invoke(OrderAction action, OrderState state)
    {
        var at = At(100);
        switch (action)
        {
            case OrderAction.Place:
                return Order.Place(state, Placed(Line(1, SkuA, 4), Line(2, SkuB, 1)), Plan(Alloc(1, SkuA, Wh1, 4), Alloc(2, SkuB, Wh1, 1)));
            case OrderAction.Hold:
                return Order.Hold(state, HoldReasons.Payment, null, at);
            case OrderAction.Release:
                return Order.Release(state, at);
            case OrderAction.Cancel:
                return Order.Cancel(state, Reason, at);
            case OrderAction.CancelLine:
                return Order.CancelLine(state, FirstLine(state, l => l.Cancellable > 0), 1, Reason, at);
            case OrderAction.StartPicking:
                return Order.StartPicking(state, null, at);
            case OrderAction.ConfirmPick:
            {
                var (location, lineNo) = FirstAllocation(state, a => state.PickingAt.Contains(a.Location) && a.Allocated > a.Picked);
                return Order.ConfirmPick(state, location, [Qty(lineNo, 1)], at);
            }
            case OrderAction.Pack:
            {
                var (location, lineNo) = FirstAllocation(state, a => a.Picked > a.Packed);
                return Order.Pack(state, location, [new Package("p-100", 500, [Qty(lineNo, 1)])], at);
            }
            case OrderAction.Ship:
            {
                var (location, lineNo) = FirstAllocation(state, a => a.Packed > a.Shipped);
                return Order.Ship(state, Shipped("s-100", location, Qty(lineNo, 1)));
            }
            case OrderAction.ConfirmDelivery:
                return Order.ConfirmDelivery(state, state.Shipments.FirstOrDefault()?.ShipmentId ?? "s-1", at);
            case OrderAction.AllocateBackorder:
            {
                var lineNo = FirstLine(state, l => l.Backordered > 0);
                return Order.AllocateBackorder(state, [Alloc(lineNo, state.Line(lineNo)?.Sku ?? SkuA, Wh2, 1)], at);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, null);
        }
    }

    static int FirstLine(OrderState state, Func<OrderLine, bool> fits) => state.Lines.FirstOrDefault(fits)?.LineNo ?? 1;

    static (string Location, int LineNo) FirstAllocation(OrderState state, Func<LineAllocation, bool> fits) =>
        state.Lines.SelectMany(l => l.Allocations.Where(fits).Select(a => (a.Location, l.LineNo))).DefaultIfEmpty((Wh1, 1)).First();
}
