using System.Text.Json;
using EventSourcedOms.Domain.Inventory;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Application.Sessions;

/// <summary>
/// Which folded states are snapshotted, in which format. Stock streams grow with every order line for as long as the
/// SKU sells (thousands of events per SKU at a million orders), while their state is a few numbers: a process that
/// starts cold reads each stock stream's snapshot and only the events after it, instead of folding the whole stream
/// before the first order for that SKU can be placed. A format change gets a new type name; snapshots of a name this
/// version does not know, or that do not read back, are ignored (the stream is folded from its first event).
/// </summary>
static class StateSnapshots
{
    const string StockType = "stock.v1";

    public static string? TypeOf<TState>() => typeof(TState) == typeof(StockState) ? StockType : null;

    public static string Serialize<TState>(TState state) => JsonSerializer.Serialize(state, EventSerializer.Options);

    public static TState? Read<TState>(StreamSnapshot snapshot) where TState : class
    {
        if (snapshot.Type != TypeOf<TState>()) return null;
        try
        {
            return JsonSerializer.Deserialize<TState>(snapshot.Data, EventSerializer.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Saves a snapshot; a failure only means the next cold load reads more events, so it is not the command's failure.</summary>
    public static async Task SaveAsync<TState>(IEventStore store, string stream, long revision, long position, TState state, CancellationToken ct)
    {
        if (store is not ISnapshotStore snapshots || TypeOf<TState>() is not { } type) return;
        try
        {
            await snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, revision, position, type, Serialize(state)), ct);
        }
        catch (EventStoreException)
        {
        }
    }
}
