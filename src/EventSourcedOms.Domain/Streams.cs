namespace EventSourcedOms.Domain;

/// <summary>Stream names, one place. Ids are restricted (see <see cref="IsValidId"/>) so a name never needs escaping.</summary>
public static class Streams
{
    public const string OrderPrefix = "order-", StockPrefix = "stock-", BackorderPrefix = "backorders-", Locations = "locations";

    public static string Order(string orderId) => OrderPrefix + orderId;

    public static string Stock(string sku, string location) => $"{StockPrefix}{sku}@{location}";

    public static string Backorders(string sku) => BackorderPrefix + sku;

    public const int MaxIdLength = 64;

    /// <summary>Order ids, SKUs, location, shipment and package ids: 1–64 of <c>[A-Za-z0-9_.-]</c>.</summary>
    public static bool IsValidId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxIdLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
