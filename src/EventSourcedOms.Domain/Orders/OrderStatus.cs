namespace EventSourcedOms.Domain.Orders;

/// <summary>
/// Where an order stands, derived from its line quantities after every event (see <see cref="OrderState"/>).
/// <see cref="None"/> is an order that does not exist yet. Holds are a separate flag, not a status: a held order keeps
/// its status and only fulfilment steps are blocked.
/// </summary>
public enum OrderStatus
{
    None,
    Reserved,
    PartiallyBackordered,
    Backordered,
    Picking,
    Packed,
    PartiallyShipped,
    Shipped,
    Delivered,
    Cancelled,
}

public enum OrderAction
{
    Place,
    Hold,
    Release,
    Cancel,
    CancelLine,
    StartPicking,
    ConfirmPick,
    Pack,
    Ship,
    ConfirmDelivery,
    AllocateBackorder,
}

public static class BackorderPolicies
{
    /// <summary>Nothing is written when any line is short; the error lists each short line.</summary>
    public const string Reject = "reject";

    /// <summary>The order is accepted; short quantities wait for stock, oldest order first.</summary>
    public const string Backorder = "backorder";

    public static bool IsKnown(string? policy) => policy is Reject or Backorder;
}

public static class HoldReasons
{
    public const string Payment = "payment", Fraud = "fraud", Address = "address", CustomerRequest = "customer-request", Other = "other";

    public static IReadOnlyList<string> All { get; } = [Payment, Fraud, Address, CustomerRequest, Other];
}

public static class OrderStatusCodes
{
    /// <summary>The status as the API and read models spell it: kebab-case, stable.</summary>
    public static string ToCode(this OrderStatus status) => status switch
    {
        OrderStatus.None => "none",
        OrderStatus.Reserved => "reserved",
        OrderStatus.PartiallyBackordered => "partially-backordered",
        OrderStatus.Backordered => "backordered",
        OrderStatus.Picking => "picking",
        OrderStatus.Packed => "packed",
        OrderStatus.PartiallyShipped => "partially-shipped",
        OrderStatus.Shipped => "shipped",
        OrderStatus.Delivered => "delivered",
        OrderStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
