using EventSourcedOms.Domain.Locations;
using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Domain.Routing;

/// <summary>What routing decided: reservations per line and location, and the lines it could not fill completely.</summary>
public sealed record AllocationPlan(IReadOnlyList<Allocation> Allocations, IReadOnlyList<ShortLine> Shortages);

/// <summary>
/// Basic, deterministic routing:
/// 1. the first shipping location, in priority order, that can fill the whole order (every SKU, summed over lines)
///    from its available-to-promise stock gets all of it;
/// 2. otherwise each SKU is split across shipping locations in priority order, lines in line-number order;
/// 3. what is still missing is a shortage (backordered or rejected by the order's policy).
/// Available to promise already excludes safety stock, so routing never promises it.
/// </summary>
public static class Router
{
    public static AllocationPlan Plan(IReadOnlyList<PlacedLine> lines, IReadOnlyList<Location> routingOrder, Func<string, string, int> availableToPromise)
    {
        var demand = lines.GroupBy(l => l.Sku).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var whole = routingOrder.FirstOrDefault(loc => demand.All(d => availableToPromise(d.Key, loc.LocationId) >= d.Value));
        if (whole is not null)
            return new AllocationPlan([.. lines.Select(l => new Allocation(l.LineNo, l.Sku, whole.LocationId, l.Quantity))], []);

        var left = new Dictionary<(string Sku, string Location), int>();
        int Left(string sku, string location) =>
            left.TryGetValue((sku, location), out var n) ? n : left[(sku, location)] = Math.Max(0, availableToPromise(sku, location));

        var allocations = new List<Allocation>();
        var shortages = new List<ShortLine>();
        foreach (var line in lines.OrderBy(l => l.LineNo))
        {
            var wanted = line.Quantity;
            foreach (var location in routingOrder)
            {
                if (wanted == 0) break;
                var take = Math.Min(wanted, Left(line.Sku, location.LocationId));
                if (take == 0) continue;
                allocations.Add(new Allocation(line.LineNo, line.Sku, location.LocationId, take));
                left[(line.Sku, location.LocationId)] -= take;
                wanted -= take;
            }
            if (wanted > 0) shortages.Add(new ShortLine(line.LineNo, line.Sku, line.Quantity, line.Quantity - wanted));
        }
        return new AllocationPlan(allocations, shortages);
    }
}
