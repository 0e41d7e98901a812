using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Locations;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.Domain.Routing;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Routing;

public sealed class RouterTests
{
    static readonly Location First = new(Wh1, "North", LocationKinds.Warehouse, 1, Ships: true);
    static readonly Location Second = new(Wh2, "South", LocationKinds.Warehouse, 2, Ships: true);
    static readonly Location[] ByPriority = [First, Second];

    /// <summary>Available to promise per (sku, location), from the stock items' own arithmetic.</summary>
    sealed class Stock
    {
        readonly Dictionary<(string, string), StockState> items = [];

        public Stock Has(string sku, string location, int onHand, int safety = 0)
        {
            var state = StockState.Initial.When(new StockEvents.StockReceived(sku, location, onHand, "po", T0));
            items[(sku, location)] = safety == 0 ? state : state.When(new StockEvents.SafetyStockSet(sku, location, safety, T0));
            return this;
        }

        public int Atp(string sku, string location) => items.TryGetValue((sku, location), out var s) ? s.AvailableToPromise : 0;
    }

    [Fact]
    public void the_first_location_that_can_fill_the_whole_order_gets_all_of_it()
    {
        var stock = new Stock().Has(SkuA, Wh1, 5).Has(SkuB, Wh1, 5).Has(SkuA, Wh2, 5).Has(SkuB, Wh2, 5);
        var plan = Router.Plan([Line(1, SkuA, 2), Line(2, SkuB, 1)], ByPriority, stock.Atp);
        Assert.Equal([Alloc(1, SkuA, Wh1, 2), Alloc(2, SkuB, Wh1, 1)], plan.Allocations);
    }

    [Fact]
    public void a_lower_priority_location_that_can_fill_the_whole_order_beats_a_split()
    {
        var stock = new Stock().Has(SkuA, Wh1, 5).Has(SkuA, Wh2, 5).Has(SkuB, Wh2, 5);
        var plan = Router.Plan([Line(1, SkuA, 2), Line(2, SkuB, 1)], ByPriority, stock.Atp);
        Assert.Equal([Alloc(1, SkuA, Wh2, 2), Alloc(2, SkuB, Wh2, 1)], plan.Allocations);
    }

    [Fact]
    public void an_order_no_single_location_can_fill_is_split_in_priority_order()
    {
        var stock = new Stock().Has(SkuA, Wh1, 2).Has(SkuA, Wh2, 3).Has(SkuB, Wh2, 1);
        var plan = Router.Plan([Line(1, SkuA, 4), Line(2, SkuB, 1)], ByPriority, stock.Atp);
        Assert.Equal([Alloc(1, SkuA, Wh1, 2), Alloc(1, SkuA, Wh2, 2), Alloc(2, SkuB, Wh2, 1)], plan.Allocations);
    }

    [Fact]
    public void a_split_order_the_network_can_fill_has_no_shortage()
    {
        var stock = new Stock().Has(SkuA, Wh1, 2).Has(SkuA, Wh2, 3).Has(SkuB, Wh2, 1);
        Assert.Empty(Router.Plan([Line(1, SkuA, 4), Line(2, SkuB, 1)], ByPriority, stock.Atp).Shortages);
    }

    [Fact]
    public void two_lines_of_the_same_sku_are_counted_together_when_choosing_one_location()
    {
        // Medusa #16502: each line alone fits the first warehouse, both together do not.
        var stock = new Stock().Has(SkuA, Wh1, 3).Has(SkuA, Wh2, 4);
        var plan = Router.Plan([Line(1, SkuA, 2), Line(2, SkuA, 2)], ByPriority, stock.Atp);
        Assert.Equal([Alloc(1, SkuA, Wh2, 2), Alloc(2, SkuA, Wh2, 2)], plan.Allocations);
    }

    [Fact]
    public void two_lines_of_the_same_sku_never_promise_the_same_unit_twice_when_split()
    {
        var stock = new Stock().Has(SkuA, Wh1, 3).Has(SkuA, Wh2, 1);
        var plan = Router.Plan([Line(1, SkuA, 2), Line(2, SkuA, 2)], ByPriority, stock.Atp);
        Assert.Equal([Alloc(1, SkuA, Wh1, 2), Alloc(2, SkuA, Wh1, 1), Alloc(2, SkuA, Wh2, 1)], plan.Allocations);
    }

    [Fact]
    public void two_lines_of_the_same_sku_share_what_is_short()
    {
        var stock = new Stock().Has(SkuA, Wh1, 3);
        var plan = Router.Plan([Line(1, SkuA, 2), Line(2, SkuA, 2)], ByPriority, stock.Atp);
        Assert.Equal([new ShortLine(2, SkuA, 2, 1)], plan.Shortages);
    }

    [Fact]
    public void lines_are_filled_in_line_number_order()
    {
        var stock = new Stock().Has(SkuA, Wh1, 2);
        var plan = Router.Plan([Line(2, SkuA, 2), Line(1, SkuA, 2)], ByPriority, stock.Atp);
        Assert.Equal([Alloc(1, SkuA, Wh1, 2)], plan.Allocations);
    }

    [Fact]
    public void safety_stock_is_never_promised()
    {
        var stock = new Stock().Has(SkuA, Wh1, 5, safety: 2);
        var plan = Router.Plan([Line(1, SkuA, 4)], ByPriority, stock.Atp);
        Assert.Equal([new ShortLine(1, SkuA, 4, 3)], plan.Shortages);
    }

    [Fact]
    public void safety_stock_at_the_first_location_sends_the_whole_order_to_the_next()
    {
        var stock = new Stock().Has(SkuA, Wh1, 5, safety: 2).Has(SkuA, Wh2, 4);
        var plan = Router.Plan([Line(1, SkuA, 4)], ByPriority, stock.Atp);
        Assert.Equal([Alloc(1, SkuA, Wh2, 4)], plan.Allocations);
    }

    [Fact]
    public void what_no_location_has_is_a_shortage_with_what_could_be_promised()
    {
        var stock = new Stock().Has(SkuA, Wh1, 1).Has(SkuA, Wh2, 1);
        var plan = Router.Plan([Line(1, SkuA, 5), Line(2, SkuB, 2)], ByPriority, stock.Atp);
        Assert.Equal([new ShortLine(1, SkuA, 5, 2), new ShortLine(2, SkuB, 2, 0)], plan.Shortages);
    }

    [Fact]
    public void locations_of_equal_priority_are_tried_in_id_order()
    {
        var catalog = Catalog(new Location("wh-b", "B", LocationKinds.Warehouse, 1, true), new Location("wh-a", "A", LocationKinds.Warehouse, 1, true));
        var stock = new Stock().Has(SkuA, "wh-a", 5).Has(SkuA, "wh-b", 5);
        var plan = Router.Plan([Line(1, SkuA, 1)], catalog.ShippingInRoutingOrder, stock.Atp);
        Assert.Equal([Alloc(1, SkuA, "wh-a", 1)], plan.Allocations);
    }

    [Fact]
    public void a_location_that_does_not_ship_is_never_routed_to()
    {
        var catalog = Catalog(new Location("store-1", "Shop", LocationKinds.Store, 0, Ships: false), First);
        var stock = new Stock().Has(SkuA, "store-1", 5);
        var plan = Router.Plan([Line(1, SkuA, 1)], catalog.ShippingInRoutingOrder, stock.Atp);
        Assert.Equal([new ShortLine(1, SkuA, 1, 0)], plan.Shortages);
    }

    static LocationCatalog Catalog(params Location[] locations) =>
        locations.SelectMany(l => LocationCatalog.Define(LocationCatalog.Initial, l, T0)).Aggregate(LocationCatalog.Initial, (c, e) => c.When(e));
}
