using System.Text;
using Dapper;
using EventSourcedOms.Projections.Runner;

namespace EventSourcedOms.Projections.OrderSummary;

/// <summary>An order as the queries return it (the projector writes <see cref="SummaryRow"/>, which adds the KPI facts).</summary>
public record OrderSummaryRow
{
    public required string OrderId { get; init; }
    public required string Status { get; init; }
    public required string Channel { get; init; }
    public string? ExternalReference { get; init; }
    public required string CustomerId { get; init; }
    public required string ShipToCountry { get; init; }
    public string? ShipToRegion { get; init; }
    public required string Locations { get; init; }
    public int LineCount { get; init; }
    public int Units { get; init; }
    public long TotalE4 { get; init; }
    public decimal Total => TotalE4 / 10_000m;
    public required string Currency { get; init; }
    public int BackorderedUnits { get; init; }
    public DateTimeOffset PlacedAt { get; init; }
    public DateTimeOffset? ReservedAt { get; init; }
    public DateTimeOffset? ShippedAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }
    public DateTimeOffset? CancelledAt { get; init; }
    public DateTimeOffset? PromisedShipBy { get; init; }
    public string? HoldReason { get; init; }
    public required string TrackingNumbers { get; init; }
    public long LastPosition { get; init; }
}

/// <summary>Filters a dashboard uses; null means "any".</summary>
public sealed record OrderFilter(string? Status = null, string? Channel = null, string? CustomerId = null,
    DateTimeOffset? PlacedFrom = null, DateTimeOffset? PlacedTo = null, bool? OnHold = null, string? Location = null, string? Sku = null,
    bool? ShipByBreached = null);

/// <summary>A page of orders, newest first, and the cursor of the next page (null at the end).</summary>
public sealed record OrderPage(IReadOnlyList<OrderSummaryRow> Orders, string? NextCursor);

/// <summary>How many orders are in one status, and how many of those are on hold.</summary>
public sealed record StatusCount
{
    public required string Status { get; init; }
    public long Orders { get; init; }
    public long OnHold { get; init; }
}

public sealed class OrderSummaryQueries(ProjectionDatabase database, TimeProvider? time = null)
{
    const string Columns = $"""
        order_id as {nameof(OrderSummaryRow.OrderId)}, status as {nameof(OrderSummaryRow.Status)}, channel as {nameof(OrderSummaryRow.Channel)},
        external_reference as {nameof(OrderSummaryRow.ExternalReference)}, customer_id as {nameof(OrderSummaryRow.CustomerId)},
        ship_to_country as {nameof(OrderSummaryRow.ShipToCountry)}, ship_to_region as {nameof(OrderSummaryRow.ShipToRegion)},
        locations as {nameof(OrderSummaryRow.Locations)}, line_count as {nameof(OrderSummaryRow.LineCount)}, units as {nameof(OrderSummaryRow.Units)},
        total_e4 as {nameof(OrderSummaryRow.TotalE4)}, currency as {nameof(OrderSummaryRow.Currency)},
        backordered_units as {nameof(OrderSummaryRow.BackorderedUnits)}, placed_at as {nameof(OrderSummaryRow.PlacedAt)},
        reserved_at as {nameof(OrderSummaryRow.ReservedAt)}, shipped_at as {nameof(OrderSummaryRow.ShippedAt)},
        delivered_at as {nameof(OrderSummaryRow.DeliveredAt)}, cancelled_at as {nameof(OrderSummaryRow.CancelledAt)},
        promised_ship_by as {nameof(OrderSummaryRow.PromisedShipBy)}, hold_reason as {nameof(OrderSummaryRow.HoldReason)},
        tracking_numbers as {nameof(OrderSummaryRow.TrackingNumbers)}, last_position as {nameof(OrderSummaryRow.LastPosition)}
        """;

    public async Task<OrderSummaryRow?> GetAsync(string orderId, CancellationToken ct)
    {
        await using var conn = await database.OpenAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<OrderSummaryRow>($"select {Columns} from order_summary where order_id = @orderId", new { orderId });
    }

    /// <summary>Orders per status (every status with at least one order), for the status dashboard; from the counters the projector keeps.</summary>
    public async Task<IReadOnlyList<StatusCount>> StatusCountsAsync(CancellationToken ct)
    {
        await using var conn = await database.OpenAsync(ct);
        var rows = await conn.QueryAsync<StatusCount>(
            $"select status as {nameof(StatusCount.Status)}, orders as {nameof(StatusCount.Orders)}, on_hold as {nameof(StatusCount.OnHold)} from order_status_counts order by status");
        return [.. rows];
    }

    /// <summary>
    /// Orders matching <paramref name="filter"/>, newest placement first (ties by id), <paramref name="limit"/> at a time;
    /// the ship-by-breached list instead most overdue first (promised ship-by ascending), which is what an operator works
    /// through and what its index serves. Keyset pagination: the cursor is the last row's sort key and id, so pages
    /// stay stable while orders arrive.
    /// </summary>
    public async Task<OrderPage> ListAsync(OrderFilter filter, string? cursor, int limit, CancellationToken ct)
    {
        var (sql, args) = ListStatement(filter, cursor, limit);
        await using var conn = await database.OpenAsync(ct);
        var rows = (await conn.QueryAsync<OrderSummaryRow>(sql, args)).ToList();
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        return new OrderPage(rows, !more ? null
            : filter.ShipByBreached == true ? Cursor.Encode(rows[^1].PromisedShipBy!.Value, rows[^1].OrderId, overdueFirst: true)
            : Cursor.Encode(rows[^1].PlacedAt, rows[^1].OrderId));
    }

    /// <summary>The statement <see cref="ListAsync"/> sends (one row more than <paramref name="limit"/>, to know whether
    /// another page follows); the benchmark asks the database for its plan.</summary>
    public (string Sql, DynamicParameters Args) ListStatement(OrderFilter filter, string? cursor, int limit)
    {
        var where = new StringBuilder("where 1 = 1");
        var args = new DynamicParameters();
        if (filter.Status is not null) { where.Append(" and status = @status"); args.Add("status", filter.Status); }
        if (filter.Channel is not null) { where.Append(" and channel = @channel"); args.Add("channel", filter.Channel); }
        if (filter.CustomerId is not null) { where.Append(" and customer_id = @customer"); args.Add("customer", filter.CustomerId); }
        if (filter.PlacedFrom is { } from) { where.Append(" and placed_at >= @from"); args.Add("from", from); }
        if (filter.PlacedTo is { } to) { where.Append(" and placed_at < @to"); args.Add("to", to); }
        if (filter.OnHold is { } held) where.Append(held ? " and hold_reason is not null" : " and hold_reason is null");
        if (filter.Location is not null)
        {
            where.Append(" and exists (select 1 from order_locations l where l.location = @location and l.order_id = order_summary.order_id)");
            args.Add("location", filter.Location);
        }
        var source = "order_summary";
        if (filter.Sku is not null)
        {
            // Driven from the SKU's own range of order_skus, already in the list's order. Joined on both columns, so that
            // placed_at and order_id (sort, cursor, date range) name order_skus' key columns.
            source = "order_skus join order_summary using (order_id, placed_at)";
            where.Append(" and sku = @sku");
            args.Add("sku", filter.Sku);
        }
        if (filter.ShipByBreached is { } breached)
        {
            // Breached: promised ship-by date passed and nothing shipped yet (and not cancelled).
            where.Append(breached
                ? " and promised_ship_by < @now and shipped_at is null and status <> 'cancelled'"
                : " and not (promised_ship_by is not null and promised_ship_by < @now and shipped_at is null and status <> 'cancelled')");
            args.Add("now", (time ?? TimeProvider.System).GetUtcNow());
        }
        var overdueFirst = filter.ShipByBreached == true;
        if (Cursor.Decode(cursor, overdueFirst) is var (at, orderId))
        {
            where.Append(overdueFirst
                ? " and (promised_ship_by > @cursorAt or (promised_ship_by = @cursorAt and order_id > @cursorId))"
                : " and (placed_at < @cursorAt or (placed_at = @cursorAt and order_id < @cursorId))");
            args.Add("cursorAt", at);
            args.Add("cursorId", orderId);
        }
        args.Add("limit", limit + 1);
        return ($"select {Columns} from {source} {where} order by {(overdueFirst ? "promised_ship_by, order_id" : "placed_at desc, order_id desc")} limit @limit", args);
    }
}

static class Cursor
{
    // The overdue-first order marks its cursors, so a cursor is never applied to the other sort.
    const string OverdueMark = "s:";

    public static string Encode(DateTimeOffset at, string id, bool overdueFirst = false) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{(overdueFirst ? OverdueMark : "")}{at.UtcTicks}|{id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The cursor's parts, or null for no cursor; a malformed cursor, or one of the other sort order, is an
    /// <see cref="ArgumentException"/> (a 400).</summary>
    public static (DateTimeOffset At, string Id)? Decode(string? cursor, bool overdueFirst = false)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        try
        {
            var b64 = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=')));
            if (text.StartsWith(OverdueMark, StringComparison.Ordinal) != overdueFirst) throw new FormatException("The cursor belongs to the other sort order.");
            if (overdueFirst) text = text[OverdueMark.Length..];
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            return (new DateTimeOffset(long.Parse(text[..bar], System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero), text[(bar + 1)..]);
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new ArgumentException("The cursor is not one this API returned.", nameof(cursor), e);
        }
    }
}
