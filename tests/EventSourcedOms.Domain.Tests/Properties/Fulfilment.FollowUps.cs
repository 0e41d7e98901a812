using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Orders;
using static EventSourcedOms.Domain.Orders.OrderEvents;

namespace EventSourcedOms.Domain.Tests.Properties;

// What the stock and the queues do once an order decision is taken, as the application's handlers do it.
public sealed partial class Fulfilment
{
    /// <summary>What the stock and the queues do after an order decision: reserve, release, ship, queue, withdraw.</summary>
    void FollowUp(IReadOnlyList<object> events, string orderId)
    {
        var order = orders[orderId];
        foreach (var e in events)
        {
            switch (e)
            {
                case OrderStockAllocated { FromBackorder: false } allocated:
                    foreach (var a in allocated.Allocations)
                        Must(a.Sku, a.Location, s => StockItem.Reserve(s, a.Sku, a.Location, orderId, a.LineNo, a.Quantity, now));
                    break;
                case OrderLinesBackordered backordered:
                    foreach (var group in backordered.Lines.GroupBy(l => order.Line(l.LineNo)!.Sku))
                        queues = queues.SetItem(group.Key, Fold(Queue(group.Key), BackorderQueue.Enqueue(group.Key, orderId, group, order.PlacedAt)));
                    break;
                case OrderQuantitiesCancelled cancelled:
                    foreach (var line in cancelled.Lines)
                    {
                        foreach (var release in line.Releases)
                            Must(line.Sku, release.Location, s => StockItem.Release(s, orderId, line.LineNo, release.Quantity, "order-cancelled", now));
                        if (line.FromBackorder > 0)
                            queues = queues.SetItem(line.Sku, Fold(Queue(line.Sku),
                                BackorderQueue.Withdraw(Queue(line.Sku), line.Sku, orderId, line.LineNo, line.FromBackorder, now)));
                    }
                    break;
                case OrderShipped shipped:
                    foreach (var line in shipped.Lines)
                        Must(order.Line(line.LineNo)!.Sku, shipped.Location, s => StockItem.Ship(s, orderId, line.LineNo, line.Quantity, shipped.ShipmentId, now));
                    shipments++;
                    break;
            }
        }
    }

    /// <summary>The application's backorder fill: the queue hands out available stock, the stock reserves it, the orders take it.</summary>
    void FillBackorders(string sku, int maxOrders)
    {
        var available = catalog.ShippingInRoutingOrder.Select(l => (l.LocationId, Stock(sku, l.LocationId).AvailableToPromise)).ToList();
        var fills = BackorderQueue.Fill(Queue(sku), sku, available, maxOrders, now);
        foreach (var fill in fills)
        {
            Must(sku, fill.Location, s => StockItem.Reserve(s, sku, fill.Location, fill.OrderId, fill.LineNo, fill.Quantity, now));
            queues = queues.SetItem(sku, Queue(sku).When(fill));
        }
        foreach (var perOrder in fills.GroupBy(f => f.OrderId))
        {
            var allocations = perOrder.Select(f => new Allocation(f.LineNo, sku, f.Location, f.Quantity)).ToList();
            var events = FollowUpDecision($"allocating backordered {sku} to {perOrder.Key}", () => Order.AllocateBackorder(orders[perOrder.Key], allocations, now));
            orders = orders.SetItem(perOrder.Key, Fold(orders[perOrder.Key], events));
        }
    }

    void Must(string sku, string location, Func<StockState, IReadOnlyList<object>> decide)
    {
        var events = FollowUpDecision($"the stock of {sku} at {location}", () => decide(Stock(sku, location)));
        stock = stock.SetItem((sku, location), Fold(Stock(sku, location), events));
    }

    static IReadOnlyList<object> FollowUpDecision(string what, Func<IReadOnlyList<object>> decide)
    {
        try
        {
            return decide();
        }
        catch (DomainException e)
        {
            throw new InvariantBroken($"Follow-up rejected: {what} refused with {e.Code} ({e.Message})");
        }
    }
}
