using System.Text.Json;
using EventSourcedOms.Domain.Inventory;

namespace EventSourcedOms.Domain;

/// <summary>
/// Which folded states are snapshotted, and in which format. Stock streams grow with every order line for as long as
/// the SKU sells (thousands of events per SKU at a million orders), while their state is a few numbers: a process
/// that starts cold reads each stock stream's snapshot and only the events after it, instead of folding the whole
/// stream. A format change gets a new type name; a snapshot of a name this version does not know, or that does not
/// read back, is ignored (the stream is then folded from its first event).
/// </summary>
public static class StateSnapshots
{
    const string StockType = "stock.v1";

    /// <summary>The snapshot format of <typeparamref name="TState"/>, or null when it is not snapshotted.</summary>
    public static string? TypeOf<TState>() => typeof(TState) == typeof(StockState) ? StockType : null;

    public static string Serialize<TState>(TState state) => JsonSerializer.Serialize(state, EventTypes.Json);

    /// <summary>The state a snapshot holds, or null when it is of another format or does not read back.</summary>
    public static TState? Read<TState>(string type, string data) where TState : class
    {
        if (type != TypeOf<TState>()) return null;
        try
        {
            return JsonSerializer.Deserialize<TState>(data, EventTypes.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
