using System.Collections.Concurrent;

namespace EventSourcedOms.Application.Sessions;

/// <summary>
/// Folded state of frequently used streams (stock items, backorder queues, the location catalogue) so a hot SKU's
/// long stream is not re-read for every order. An entry is trusted for writes because every append carries the
/// revision it was decided on: a stale entry fails that check, is evicted and the command retries with fresh state.
/// For reads alone (a location routing looked at but did not use) an entry is re-checked against the store once it
/// is older than <see cref="SessionOptions.CacheTrust"/>, so changes by other processes show up within that time.
/// </summary>
public sealed class StateCache(int capacity)
{
    public sealed record Entry(long Revision, long Position, object State, long VerifiedAt, bool Stale = false);

    readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string stream, out Entry entry) => _entries.TryGetValue(stream, out entry!);

    public void Put(string stream, Entry entry)
    {
        if (_entries.Count >= capacity && !_entries.ContainsKey(stream))
        {
            // Crude but bounded: drop an arbitrary eighth. Only costs a re-read of the dropped streams.
            foreach (var key in _entries.Keys.Take(Math.Max(1, capacity / 8))) _entries.TryRemove(key, out _);
        }
        _entries.AddOrUpdate(stream, entry, (_, old) => entry.Revision >= old.Revision ? entry : old);
    }

    public void Evict(string stream) => _entries.TryRemove(stream, out _);

    /// <summary>
    /// Someone else appended to the stream: keep the state, but have the next load read what came after it instead of
    /// trusting it. Cheaper than evicting, which would re-read a hot stock stream from its first event.
    /// </summary>
    public void MarkStale(string stream)
    {
        if (_entries.TryGetValue(stream, out var entry)) _entries.TryUpdate(stream, entry with { Stale = true }, entry);
    }
}
