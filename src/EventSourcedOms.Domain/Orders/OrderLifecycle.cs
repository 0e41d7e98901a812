using static EventSourcedOms.Domain.ErrorCodes;

namespace EventSourcedOms.Domain.Orders;

/// <summary>
/// The order lifecycle as one explicit table: for every action and every status, either allowed (<c>OK</c>) or the
/// stable error code the action is rejected with. Quantity rules (how much can be picked, shipped, …) and the hold
/// flag are checked after the table, by the decision itself. docs/order-lifecycle.md renders this table.
/// </summary>
public static class OrderLifecycle
{
    const string? OK = null;

    // Columns follow OrderStatus:
    //   None, Reserved, PartiallyBackordered, Backordered, Picking, Packed, PartiallyShipped, Shipped, Delivered, Cancelled
    static readonly Dictionary<OrderAction, string?[]> Table = new()
    {
        [OrderAction.Place] =
            [OK, OrderAlreadyExists, OrderAlreadyExists, OrderAlreadyExists, OrderAlreadyExists, OrderAlreadyExists, OrderAlreadyExists, OrderAlreadyExists, OrderAlreadyExists, OrderAlreadyExists],
        [OrderAction.Hold] =
            [OrderNotFound, OK, OK, OK, OK, OK, OK, OrderShipped, OrderDelivered, OrderCancelled],
        [OrderAction.Release] =
            [OrderNotFound, OK, OK, OK, OK, OK, OK, OrderNotOnHold, OrderNotOnHold, OrderCancelled],
        [OrderAction.Cancel] =
            [OrderNotFound, OK, OK, OK, OK, OK, OrderPartiallyShipped, OrderShipped, OrderDelivered, OrderCancelled],
        [OrderAction.CancelLine] =
            [OrderNotFound, OK, OK, OK, OK, OK, OK, OrderShipped, OrderDelivered, OrderCancelled],
        [OrderAction.StartPicking] =
            [OrderNotFound, OK, OK, NothingReserved, OK, NothingToPick, OK, OrderShipped, OrderDelivered, OrderCancelled],
        [OrderAction.ConfirmPick] =
            [OrderNotFound, PickingNotStarted, PickingNotStarted, NothingReserved, OK, NothingToPick, OK, OrderShipped, OrderDelivered, OrderCancelled],
        [OrderAction.Pack] =
            [OrderNotFound, PickingNotStarted, PickingNotStarted, NothingReserved, OK, NothingToPack, OK, OrderShipped, OrderDelivered, OrderCancelled],
        [OrderAction.Ship] =
            [OrderNotFound, NothingPacked, NothingPacked, NothingReserved, OK, OK, OK, OrderShipped, OrderDelivered, OrderCancelled],
        [OrderAction.ConfirmDelivery] =
            [OrderNotFound, NothingShipped, NothingShipped, NothingShipped, NothingShipped, NothingShipped, OK, OK, OK, OrderCancelled],
        [OrderAction.AllocateBackorder] =
            [OrderNotFound, OK, OK, OK, OK, OK, OK, OrderShipped, OrderDelivered, OrderCancelled],
    };

    /// <summary>Fulfilment steps a hold blocks; everything else (cancel, release, backorder allocation) goes on.</summary>
    static readonly HashSet<OrderAction> BlockedByHold = [OrderAction.StartPicking, OrderAction.ConfirmPick, OrderAction.Pack, OrderAction.Ship];

    /// <summary>The error code for <paramref name="action"/> in <paramref name="status"/>, or null when allowed.</summary>
    public static string? Rejection(OrderAction action, OrderStatus status) => Table[action][(int)status];

    public static bool IsBlockedByHold(OrderAction action) => BlockedByHold.Contains(action);

    /// <summary>Throws the table's error for the state's status, then the hold rules.</summary>
    public static void Guard(OrderState state, OrderAction action)
    {
        if (Rejection(action, state.Status) is { } code)
            throw new DomainException(code, $"Cannot {Describe(action)}: order {state.OrderId} is {state.Status}.");
        if (state.Hold is { } hold && IsBlockedByHold(action))
            throw new DomainException(OrderOnHold, $"Cannot {Describe(action)}: order {state.OrderId} is on hold ({hold.Reason}).");
        if (action == OrderAction.Hold && state.Hold is not null)
            throw new DomainException(OrderAlreadyOnHold, $"Order {state.OrderId} is already on hold ({state.Hold.Reason}).");
        if (action == OrderAction.Release && state.Hold is null)
            throw new DomainException(OrderNotOnHold, $"Order {state.OrderId} is not on hold.");
    }

    static string Describe(OrderAction action) => action switch
    {
        OrderAction.Place => "place the order",
        OrderAction.Hold => "hold the order",
        OrderAction.Release => "release the hold",
        OrderAction.Cancel => "cancel the order",
        OrderAction.CancelLine => "cancel a line quantity",
        OrderAction.StartPicking => "start picking",
        OrderAction.ConfirmPick => "confirm a pick",
        OrderAction.Pack => "pack",
        OrderAction.Ship => "ship",
        OrderAction.ConfirmDelivery => "confirm delivery",
        OrderAction.AllocateBackorder => "allocate backordered stock",
        _ => action.ToString(),
    };
}
