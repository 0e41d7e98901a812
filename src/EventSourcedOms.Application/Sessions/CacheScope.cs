namespace EventSourcedOms.Application.Sessions;

/// <summary>
/// One command attempt's use of the state cache (set by the retry behaviour): which streams were taken from the cache
/// without asking the store, and whether this attempt must ask the store for everything. A domain rejection decided
/// on trusted cache entries is not final: the command runs again with <see cref="Verify"/> set, so a rejection is
/// only ever given (and stored for its request id) on state read from the store.
/// </summary>
internal sealed class CacheScope
{
    static readonly AsyncLocal<CacheScope?> Ambient = new();

    public static CacheScope? Current { get => Ambient.Value; set => Ambient.Value = value; }

    public bool Verify { get; set; }

    public List<string> Trusted { get; } = [];
}
