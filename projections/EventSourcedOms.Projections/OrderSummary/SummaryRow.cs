namespace EventSourcedOms.Projections.OrderSummary;

/// <summary>An <c>order_summary</c> row with every column, as the projector writes it: what queries read, and the placement facts of the KPIs.</summary>
sealed record SummaryRow : OrderSummaryRow
{
    public required string PlacedDay { get; init; }
    public int OrderedUnits { get; init; }
    public int FirstAllocatedUnits { get; init; }
    public int BackorderedAtPlacement { get; init; }

    /// <summary>
    /// This row followed by a later one of the same order: the later row, except that milestone times are kept once set
    /// and a placement fact of -1 (not known from that event) keeps this row's value. Associative, so a batch can merge
    /// its own events first and the stored row after.
    /// </summary>
    public SummaryRow Then(SummaryRow later) => later with
    {
        ReservedAt = ReservedAt ?? later.ReservedAt,
        ShippedAt = ShippedAt ?? later.ShippedAt,
        DeliveredAt = DeliveredAt ?? later.DeliveredAt,
        CancelledAt = CancelledAt ?? later.CancelledAt,
        FirstAllocatedUnits = later.FirstAllocatedUnits < 0 ? FirstAllocatedUnits : later.FirstAllocatedUnits,
        BackorderedAtPlacement = later.BackorderedAtPlacement < 0 ? BackorderedAtPlacement : later.BackorderedAtPlacement,
    };
}
