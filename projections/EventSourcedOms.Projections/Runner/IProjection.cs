using System.Data.Common;
using Dapper;
using EventSourcedOms.EventStore;
using Npgsql;

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

    /// <summary>
    /// Indexes (by name) that the projector's own writes need beyond the tables' keys, e.g. one its deletes find rows by.
    /// A rebuild keeps these while it replays and builds every other index once at the end.
    /// </summary>
    IReadOnlyCollection<string> WriteIndexes => [];

    /// <summary>
    /// Tables whose rows are inserted once and never changed or deleted (one row per event, say), each key written by one
    /// event only, and needing no index for the projector's writes. Rebuilds fill them without their key (PostgreSQL:
    /// the primary key dropped; SQLite: an unkeyed table of the same columns in place of the keyed one), so without the
    /// upsert's check of the key for every row, and put the key back once at the end (which fails the rebuild, before
    /// any swap, if a key came twice).
    /// </summary>
    IReadOnlyCollection<string> InsertOnlyTables => [];

    Task ApplyAsync(ProjectionBatch batch, RecordedEvent recorded, object @event, CancellationToken ct);

    /// <summary>
    /// Columns added to this projection's tables after they first shipped, each with its definition (a default for the
    /// rows already there): a database created by an older version gets them when it is migrated.
    /// </summary>
    IReadOnlyList<(string Table, string Column, string Definition)> AddedColumns => [];

    /// <summary>
    /// Before the projection follows the log: a projector whose rows hold a stream's whole state (with the revision
    /// it is at) puts those states in the cache (<see cref="StreamStates.Seed{TState}"/>), so a restart does not fold
    /// those streams again from the store.
    /// </summary>
    Task WarmAsync(DbConnection connection, StreamStates states, CancellationToken ct) => Task.CompletedTask;
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
    readonly List<NpgsqlBatchCommand> _queued = [];
    DbConnection? _connection;
    DbTransaction? _transaction;

    public ProjectionBatch(DbConnection connection, DbTransaction transaction, SqlDialect dialect, StreamStates states)
        : this(dialect, states) => Begin(connection, transaction);

    /// <summary>A batch whose events are applied before its transaction begins (<see cref="Begin"/>), which then only writes.</summary>
    ProjectionBatch(SqlDialect dialect, StreamStates states)
    {
        Dialect = dialect;
        States = states;
    }

    /// <summary>A batch for <paramref name="database"/>, applied before its transaction begins: with the tables it has without their key now.</summary>
    internal ProjectionBatch(ProjectionDatabase database, StreamStates states) : this(database.Dialect, states) => KeylessTables = database.KeylessTables;

    /// <summary>The batch's connection (for flushing; events are applied before the transaction begins).</summary>
    public DbConnection Connection => _connection ?? throw new InvalidOperationException("The batch writes when it flushes, in its transaction.");
    public DbTransaction Transaction => _transaction ?? throw new InvalidOperationException("The batch writes when it flushes, in its transaction.");
    public SqlDialect Dialect { get; }
    public StreamStates States { get; }

    /// <summary>Tables the batch writes that have no key now (a rebuild's insert-only tables while it replays): plain inserts.</summary>
    internal IReadOnlySet<string> KeylessTables { get; } = EmptyTables;

    static readonly IReadOnlySet<string> EmptyTables = new HashSet<string>();

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

    /// <summary>
    /// A write in the batch's transaction. PostgreSQL: queued, and sent with the batch's other writes in one round trip
    /// before its next read (<see cref="QueryAsync{T}"/>) or its commit. A flush of a read model's tables and counters
    /// took a dozen round trips, each waiting for the server to be scheduled again on a busy machine: most of a live
    /// batch's time. SQLite (in process, no round trips): run at once.
    /// </summary>
    public Task WriteAsync(string sql, object param)
    {
        if (Dialect == SqlDialect.Sqlite) return Connection.ExecuteAsync(sql, param, Transaction);
        var command = new NpgsqlBatchCommand(sql);
        foreach (var property in param.GetType().GetProperties())
        {
            var value = property.GetValue(param);
            command.Parameters.Add(new NpgsqlParameter(property.Name, value is DateTimeOffset at ? at.ToUniversalTime() : value ?? DBNull.Value));
        }
        _queued.Add(command);
        return Task.CompletedTask;
    }

    /// <summary>A PostgreSQL write built by the caller, sent like <see cref="WriteAsync"/>'s.</summary>
    internal void Queue(NpgsqlBatchCommand command) => _queued.Add(command);

    /// <summary>A read in the batch's transaction: it sees every write made before it.</summary>
    public async Task<IEnumerable<T>> QueryAsync<T>(string sql, object param)
    {
        await SendAsync();
        return await Connection.QueryAsync<T>(sql, param, Transaction);
    }

    async Task SendAsync()
    {
        if (_queued.Count == 0) return;
        await using var send = new NpgsqlBatch((NpgsqlConnection)Connection, (NpgsqlTransaction)Transaction);
        foreach (var command in _queued) send.BatchCommands.Add(command);
        _queued.Clear();
        await send.ExecuteNonQueryAsync();
    }

    /// <summary>Writes the pending rows of every read model and moves the checkpoint to <paramref name="last"/>; the caller commits.</summary>
    internal async Task WriteAsync(string projection, RecordedEvent last, DateTimeOffset now, CancellationToken ct)
    {
        foreach (var pending in _pending.Values) await pending.FlushAsync(this, ct);
        await Checkpoints.SaveAsync(this, projection, last.Position, now, last.Metadata.OccurredAt ?? last.RecordedAt);
        await SendAsync();
    }
}
