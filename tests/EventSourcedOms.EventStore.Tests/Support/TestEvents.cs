namespace EventSourcedOms.EventStore.Tests.Support;

internal static class TestEvents
{
    public static string NewStream(string category = "order") => $"{category}-{Guid.NewGuid():N}";

    public static EventData Event(string type = "OrderPlaced.v1", string json = """{"sku":"SKU-1","quantity":2}""", EventMetadata? metadata = null) =>
        EventData.FromJson(Guid.CreateVersion7(), type, json, metadata);

    public static EventData[] Events(int count, string type = "OrderPlaced.v1") =>
        Enumerable.Range(0, count).Select(i => Event(type, $$"""{"n":{{i}}}""")).ToArray();

    /// <summary>
    /// Reads $all to its end. On PostgreSQL the end can trail the last commit for a moment (the feed waits for older
    /// transactions anywhere in the cluster, such as other tests'), so the caller says how many events it knows exist.
    /// </summary>
    public static async Task<List<RecordedEvent>> ReadAllEvents(this IEventStore store, int expectAtLeast, EventFilter? filter = null, int pageSize = 500)
    {
        var all = new List<RecordedEvent>();
        long from = 0;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var slice = await store.ReadAllAsync(from, pageSize, filter, TestContext.Current.CancellationToken);
            all.AddRange(slice.Events);
            from = slice.NextPosition;
            if (slice.IsEnd && (all.Count >= expectAtLeast || DateTime.UtcNow > deadline)) return all;
            if (slice.IsEnd) await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}

/// <summary>A clock that stands still unless told otherwise, so recorded times can be asserted exactly.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
