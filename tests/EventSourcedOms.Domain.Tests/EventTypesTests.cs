using System.Text.RegularExpressions;

namespace EventSourcedOms.Domain.Tests;

public sealed class EventTypesTests
{
    /// <summary>Every record nested in a static <c>…Events</c> class of the domain: where events live, by convention.</summary>
    static readonly Type[] EventRecords =
    [
        .. typeof(EventTypes).Assembly.GetTypes()
            .Where(t => t is { IsNested: true, DeclaringType: { IsAbstract: true, IsSealed: true } holder } && holder.Name.EndsWith("Events", StringComparison.Ordinal))
    ];

    [Fact]
    public void the_domain_has_event_records_to_register()
    {
        Assert.True(EventRecords.Length >= 20, $"found only {EventRecords.Length} event records; has the convention changed?");
    }

    [Fact]
    public void every_event_record_is_registered_exactly_once()
    {
        var registered = EventTypes.Registered.Select(r => r.Type).ToList();
        Assert.All(EventRecords, t => Assert.Equal(1, registered.Count(r => r == t)));
    }

    [Fact]
    public void only_event_records_are_registered()
    {
        Assert.All(EventTypes.Registered, r => Assert.Contains(r.Type, EventRecords));
    }

    [Fact]
    public void every_name_is_the_type_name_with_a_version()
    {
        Assert.All(EventTypes.Registered, r => Assert.Matches($@"^{Regex.Escape(r.Type.Name)}\.v[1-9][0-9]*$", r.Name));
    }

    [Fact]
    public void no_two_event_types_share_a_name()
    {
        var names = EventTypes.Registered.Select(r => r.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void names_and_types_map_both_ways()
    {
        Assert.All(EventTypes.Registered, r => Assert.Equal((r.Name, r.Type), (EventTypes.NameOf(r.Type), EventTypes.TypeOf(r.Name))));
    }

    [Fact]
    public void every_event_record_is_a_sealed_record()
    {
        // A record has a compiler-generated EqualityContract; sealed keeps a subtype from changing what is stored.
        Assert.All(EventRecords, t => Assert.True(t.IsSealed && t.GetProperty("EqualityContract", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance) is not null, t.Name));
    }
}
