namespace EventSourcedOms.Domain.Tests.Properties;

public sealed partial class Fulfilment
{
    /// <summary>Everything that must hold between any two commands, as readable complaints (none when all is well).</summary>
    public List<string> BrokenInvariants()
    {
        var broken = new List<string>();
        void Require(bool holds, string complaint) { if (!holds) broken.Add(complaint); }

        foreach (var ((sku, location), s) in stock)
        {
            var item = $"{sku}@{location} (on hand {s.OnHand}, reserved {s.Reserved}, safety {s.SafetyStock})";
            Require(s.OnHand - s.Reserved - s.SafetyStock >= 0, $"{item}: available to promise is negative");
            Require(s.Reserved >= 0 && s.SafetyStock >= 0, $"{item}: a negative count");
            var lines = held.Where(h => h.Key.Sku == sku && h.Key.Location == location).Select(h => h.Value).ToList();
            Require(s.Reserved == lines.Sum(), $"{item}: reserved is not the sum of what its order lines hold");
            Require(lines.All(q => q > 0), $"{item}: an order line holds an empty or negative reservation");
        }

        foreach (var order in orders.Values)
        foreach (var line in order.Lines)
        {
            var at = $"{order.OrderId} line {line.LineNo}";
            Require(line.Ordered == line.Cancelled + line.Backordered + line.Allocated,
                $"{at}: ordered {line.Ordered} ≠ cancelled {line.Cancelled} + backordered {line.Backordered} + allocated {line.Allocated}");
            Require(line.Backordered >= 0 && line.Cancelled >= 0, $"{at}: a negative count");
            Require(line.Delivered <= line.Shipped, $"{at}: delivered {line.Delivered} > shipped {line.Shipped}");
            foreach (var a in line.Allocations)
                Require(0 <= a.Shipped && a.Shipped <= a.Packed && a.Packed <= a.Picked && a.Picked <= a.Allocated,
                    $"{at} at {a.Location}: not shipped {a.Shipped} ≤ packed {a.Packed} ≤ picked {a.Picked} ≤ allocated {a.Allocated}");
        }

        var holdings = held.Select(h => $"{h.Key.OrderId}/{h.Key.LineNo} {h.Key.Sku}@{h.Key.Location} = {h.Value}");
        var owed = orders.Values.SelectMany(o => o.Lines.SelectMany(l => l.Allocations.Where(a => a.Reserved > 0)
            .Select(a => $"{o.OrderId}/{l.LineNo} {l.Sku}@{a.Location} = {a.Reserved}")));
        CompareSets("stock reservations", holdings, "orders' allocated − shipped", owed, Require);

        var queued = queues.SelectMany(q => q.Value.Entries.Select(e => $"{e.OrderId}/{e.LineNo} {q.Key} = {e.Quantity}"));
        var backordered = orders.Values.SelectMany(o => o.Lines.Where(l => l.Backordered != 0).Select(l => $"{o.OrderId}/{l.LineNo} {l.Sku} = {l.Backordered}"));
        CompareSets("backorder queue entries", queued, "orders' backordered quantities", backordered, Require);

        return broken;
    }

    static void CompareSets(string leftName, IEnumerable<string> left, string rightName, IEnumerable<string> right, Action<bool, string> require)
    {
        var (l, r) = (left.Order(StringComparer.Ordinal).ToList(), right.Order(StringComparer.Ordinal).ToList());
        require(l.SequenceEqual(r), $"{leftName} [{string.Join("; ", l)}] ≠ {rightName} [{string.Join("; ", r)}]");
    }
}
