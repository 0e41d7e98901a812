namespace EventSourcedOms.Application.Sessions;

/// <summary>
/// In-process locks per stream. Commands that touch the same stock streams queue here instead of racing to the
/// store and retrying (a hot SKU would otherwise waste most appends on conflicts). Locks are always taken in one
/// sorted batch per command, so two commands can never wait on each other. Across processes the store's expected
/// revision check still decides; these locks only make the common case cheap.
/// </summary>
public sealed class StreamLocks
{
    sealed class Entry
    {
        public readonly SemaphoreSlim Semaphore = new(1, 1);
        public int Users;
    }

    readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<IAsyncDisposable> AcquireAsync(IEnumerable<string> streams, CancellationToken ct)
    {
        var names = streams.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var held = new List<(string, Entry)>(names.Length);
        try
        {
            foreach (var name in names)
            {
                var entry = Enter(name);
                held.Add((name, entry));
                await entry.Semaphore.WaitAsync(ct);
            }
        }
        catch
        {
            // The last entry was counted but not acquired.
            if (held.Count > 0)
            {
                var (lastName, lastEntry) = held[^1];
                held.RemoveAt(held.Count - 1);
                Leave(lastName, lastEntry, release: false);
            }
            await new Held(this, held).DisposeAsync();
            throw;
        }
        return new Held(this, held);
    }

    Entry Enter(string name)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(name, out var entry)) _entries[name] = entry = new Entry();
            entry.Users++;
            return entry;
        }
    }

    void Leave(string name, Entry entry, bool release)
    {
        if (release) entry.Semaphore.Release();
        lock (_entries)
        {
            if (--entry.Users == 0) _entries.Remove(name);
        }
    }

    sealed class Held(StreamLocks owner, List<(string Name, Entry Entry)> held) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            for (var i = held.Count - 1; i >= 0; i--) owner.Leave(held[i].Name, held[i].Entry, release: true);
            held.Clear();
            return ValueTask.CompletedTask;
        }
    }
}
