using System.Text.Json;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Domain.Tests.Support;

/// <summary>
/// Given events → When a decision → Then the events it emits, or the code it is rejected with (Eventuous'
/// AggregateSpec, without the store). One instance per test, as xunit creates them.
/// </summary>
public abstract class Spec<TState>(TState initial, Func<TState, object, TState> fold)
{
    Func<TState, IReadOnlyList<object>>? decision;

    protected TState State { get; private set; } = initial;

    protected void Given(params object[] events) => State = events.Aggregate(State, fold);

    protected void When(Func<TState, IReadOnlyList<object>> decide) => decision = decide;

    protected void Then(params object[] expected) => EventJson.Equal(expected, Decide());

    /// <summary>The decision is accepted and writes nothing (already applied, or nothing to change).</summary>
    protected void ThenNothing() => Assert.Empty(Decide());

    protected DomainException ThenRejected(string code)
    {
        var rejected = Assert.Throws<DomainException>(() => Decide());
        Assert.Equal(code, rejected.Code);
        return rejected;
    }

    /// <summary>The state after folding what the decision emitted: for facts about what the events mean.</summary>
    protected TState ThenState() => Decide().Aggregate(State, fold);

    IReadOnlyList<object> Decide() => (decision ?? throw new InvalidOperationException("When(...) was not called."))(State);
}

public abstract class OrderSpec() : Spec<OrderState>(OrderState.Initial, (state, e) => state.When(e));

public abstract class StockSpec() : Spec<StockState>(StockState.Initial, (state, e) => state.When(e));

public abstract class BackorderSpec() : Spec<BackorderQueueState>(BackorderQueueState.Initial, (state, e) => state.When(e));

/// <summary>
/// Events are compared by their JSON, type name first: they hold lists, which records compare by reference. Web
/// defaults, because that is how the store writes them.
/// </summary>
public static class EventJson
{
    static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Of(object e) => $"{e.GetType().Name} {JsonSerializer.Serialize(e, e.GetType(), Options)}";

    public static void Equal(IEnumerable<object> expected, IEnumerable<object> actual) =>
        Assert.Equal(expected.Select(Of).ToList(), actual.Select(Of).ToList());
}
