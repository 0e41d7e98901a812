using EventSourcedOms.Domain.Locations;
using EventSourcedOms.Domain.Tests.Support;
using static EventSourcedOms.Domain.Tests.Support.OrderFixture;

namespace EventSourcedOms.Domain.Tests.Locations;

public sealed class LocationCatalogTests : Spec<LocationCatalog>
{
    static readonly Location North = new(Wh1, "North", LocationKinds.Warehouse, 1, Ships: true);

    public LocationCatalogTests() : base(LocationCatalog.Initial, (catalog, e) => catalog.When(e)) { }

    [Fact]
    public void defining_a_new_location_records_it()
    {
        When(c => LocationCatalog.Define(c, North, At(1)));
        Then(new LocationEvents.LocationDefined(Wh1, "North", LocationKinds.Warehouse, 1, true, At(1)));
    }

    [Fact]
    public void defining_a_location_exactly_as_it_is_defined_writes_nothing()
    {
        Given(new LocationEvents.LocationDefined(Wh1, "North", LocationKinds.Warehouse, 1, true, T0));
        When(c => LocationCatalog.Define(c, North, At(1)));
        ThenNothing();
    }

    [Fact]
    public void redefining_a_location_with_another_priority_records_it()
    {
        Given(new LocationEvents.LocationDefined(Wh1, "North", LocationKinds.Warehouse, 1, true, T0));
        When(c => LocationCatalog.Define(c, North with { Priority = 5 }, At(1)));
        Assert.Equal(5, ThenState().Require(Wh1).Priority);
    }

    [Fact]
    public void requiring_an_unknown_location_is_rejected()
    {
        var rejected = Assert.Throws<DomainException>(() => LocationCatalog.Initial.Require("nowhere"));
        Assert.Equal(ErrorCodes.UnknownLocation, rejected.Code);
    }
}
