using EventSourcedOms.EventStore;

namespace EventSourcedOms.Application.Sessions;

/// <summary>
/// A stream loaded into a session: its state, the revision that state was folded up to (-1: no stream) and the
/// events decided on it in this command, already applied to <see cref="State"/>.
/// </summary>
public sealed class Loaded<TState> : ILoaded where TState : class
{
    readonly Func<TState, object, TState> _when;
    readonly Func<EventMetadata?> _cause;
    readonly List<object> _pending = [];
    readonly List<EventMetadata?> _metadata = [];

    internal Loaded(string stream, long revision, long position, TState state, Func<TState, object, TState> when, bool cacheable, Func<EventMetadata?> cause)
    {
        _cause = cause;
        Stream = stream;
        Revision = revision;
        Position = position;
        State = state;
        _when = when;
        Cacheable = cacheable;
    }

    public string Stream { get; }

    /// <summary>The revision the decision is based on; the append expects exactly this.</summary>
    public long Revision { get; }

    /// <summary>Global position of the last event read (0 when the stream does not exist).</summary>
    public long Position { get; }

    public TState State { get; private set; }

    public bool Exists => Revision >= 0;

    public IReadOnlyList<object> Pending => _pending;

    /// <summary>Per pending event, the metadata of the command that decided it (null: the committing command's).</summary>
    public IReadOnlyList<EventMetadata?> PendingMetadata => _metadata;

    public bool Cacheable { get; }

    object ILoaded.State => State;

    Task ILoaded.SnapshotAsync(IEventStore store, long revision, long position) => SessionSnapshots.SaveAsync(store, Stream, revision, position, State);

    /// <summary>Records decided events and folds them into <see cref="State"/>, so later decisions in the same command see them.</summary>
    public Loaded<TState> Apply(IReadOnlyList<object> events)
    {
        foreach (var e in events)
        {
            State = _when(State, e);
            _pending.Add(e);
            _metadata.Add(_cause());
        }
        return this;
    }
}

internal interface ILoaded
{
    string Stream { get; }
    long Revision { get; }
    long Position { get; }
    IReadOnlyList<object> Pending { get; }
    IReadOnlyList<EventMetadata?> PendingMetadata { get; }
    bool Cacheable { get; }
    object State { get; }

    /// <summary>Keeps a snapshot of the state (if its kind is snapshotted) as of the committed revision and position.</summary>
    Task SnapshotAsync(IEventStore store, long revision, long position);
}
