using System.Data.Common;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// A read model's projector: which events it wants, and one idempotent SQL statement (or a few) per event, run in the
/// batch's transaction. Rows carry the position of the last event applied to them, so applying an event twice (after
/// a crash between the rows and the checkpoint could never happen, but a rebuild replays) changes nothing.
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

/// <summary>What a projector writes with: the batch's connection and transaction, and the folded state of streams.</summary>
public sealed class ProjectionBatch(DbConnection connection, DbTransaction transaction, SqlDialect dialect, StreamStates states)
{
    public DbConnection Connection { get; } = connection;
    public DbTransaction Transaction { get; } = transaction;
    public SqlDialect Dialect { get; } = dialect;
    public StreamStates States { get; } = states;
}
