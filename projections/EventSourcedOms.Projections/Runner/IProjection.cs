using System.Data.Common;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// A read model's projector: which events it wants, and what each event does to its rows. A projector does not write
/// per event: it keeps the latest state of each row it touched in the batch (<see cref="ProjectionBatch.Pending{T}"/>)
/// and writes them when the batch flushes, one statement per table, in the batch's transaction. Rows carry the position
/// of the last event applied to them, so applying an event twice (after a crash between the rows and the checkpoint
/// could never happen, but a rebuild replays) changes nothing.
/// </summary>
public interface IProjection
{
    /// <summary>The checkpoint's name, e.g. <c>order_summary</c>.</summary>
    string Name { get; }

    /// <summary>The folder holding <c>schema.&lt;dialect&gt;.sql</c>.</summary>
    string Folder { get; }

    EventFilter Filter { get; }

    /// <summary>The tables this projection owns, each with its key columns (for rebuild and verify).</summary>
    IReadOnlyList<(string Table, string Key)> Tables { get; }

    Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct);
}

/// <summary>Rows a projector keeps for its batch and writes when the batch flushes (before the checkpoint, in its transaction).</summary>
public interface IPendingWrites
{
    Task FlushAsync(ProjectionBatch batch, CancellationToken ct);
}

/// <summary>What a projector writes with: the batch's connection and transaction, the folded state of streams, and the rows pending.</summary>
public sealed class ProjectionBatch
{
    readonly Dictionary<Type, IPendingWrites> _pending = [];
    DbConnection? _connection;
    DbTransaction? _transaction;

    public ProjectionBatch(DbConnection connection, DbTransaction transaction, SqlDialect dialect, StreamStates states)
        : this(dialect, states) => Begin(connection, transaction);

    /// <summary>A batch whose events are applied before its transaction begins (<see cref="Begin"/>), which then only writes.</summary>
    internal ProjectionBatch(SqlDialect dialect, StreamStates states)
    {
        Dialect = dialect;
        States = states;
    }

    /// <summary>The batch's connection (for flushing; events are applied before the transaction begins).</summary>
    public DbConnection Connection => _connection ?? throw new InvalidOperationException("The batch writes when it flushes, in its transaction.");
    public DbTransaction Transaction => _transaction ?? throw new InvalidOperationException("The batch writes when it flushes, in its transaction.");
    public SqlDialect Dialect { get; }
    public StreamStates States { get; }

    internal void Begin(DbConnection connection, DbTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    /// <summary>The batch's pending rows of one kind, created at first use; flushed in the order of first use.</summary>
    public T Pending<T>() where T : class, IPendingWrites, new()
    {
        if (!_pending.TryGetValue(typeof(T), out var pending)) _pending[typeof(T)] = pending = new T();
        return (T)pending;
    }

    internal async Task FlushAsync(CancellationToken ct)
    {
        foreach (var pending in _pending.Values) await pending.FlushAsync(this, ct);
    }
}
