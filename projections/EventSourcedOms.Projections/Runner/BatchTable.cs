using System.Reflection;
using Dapper;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// One read-model table as a batch writes it: rows are records whose properties are the table's columns (snake_case),
/// and every operation is one statement for the whole batch. Upserts overwrite the row unless it already holds a
/// later event (<c>last_position</c>), or do nothing on a duplicate key when the table has no such column.
/// </summary>
sealed class BatchTable<TRow>
{
    readonly string _table;
    readonly string[] _keys;
    readonly string[] _columns;
    readonly string _aliased;

    public BatchTable(string table, string keys)
    {
        _table = table;
        _keys = keys.Split(',', StringSplitOptions.TrimEntries);
        var properties = typeof(TRow).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        _columns = [.. properties.Select(p => JsonRows.Column(p.Name))];
        _aliased = string.Join(", ", properties.Select(p => $"{JsonRows.Column(p.Name)} as {p.Name}"));
    }

    string Keys => string.Join(", ", _keys);

    public async Task UpsertAsync(ProjectionBatch batch, IReadOnlyCollection<TRow> rows)
    {
        if (rows.Count == 0) return;
        var update = _columns.Except(_keys).ToList();
        var onConflict = !_columns.Contains("last_position")
            ? "do nothing"
            : $"do update set {string.Join(", ", update.Select(c => $"{c} = excluded.{c}"))} where {_table}.last_position < excluded.last_position";
        // SQLite needs a where clause in "insert … select" before "on conflict" (its parser would read "on" as a join).
        await batch.Connection.ExecuteAsync(
            $"insert into {_table} ({string.Join(", ", _columns)}) {JsonRows.Select(batch.Dialect, _table, _columns)} where true on conflict ({Keys}) {onConflict}",
            new { rows = JsonRows.Serialize(batch.Dialect, rows) }, batch.Transaction);
    }

    /// <summary>Deletes the rows with the keys of <paramref name="keys"/> (only those properties are read), or with the same <paramref name="by"/> columns.</summary>
    public async Task DeleteAsync(ProjectionBatch batch, IReadOnlyCollection<TRow> keys, string? by = null)
    {
        if (keys.Count == 0) return;
        var columns = by is null ? _keys : by.Split(',', StringSplitOptions.TrimEntries);
        await batch.Connection.ExecuteAsync($"delete from {_table} where ({string.Join(", ", columns)}) in ({JsonRows.Select(batch.Dialect, _table, columns)})",
            new { rows = JsonRows.Serialize(batch.Dialect, keys) }, batch.Transaction);
    }

    /// <summary>The stored rows with the keys of <paramref name="keys"/>.</summary>
    public async Task<IReadOnlyList<TRow>> ReadAsync(ProjectionBatch batch, IReadOnlyCollection<TRow> keys)
    {
        if (keys.Count == 0) return [];
        return [.. await batch.Connection.QueryAsync<TRow>($"select {_aliased} from {_table} where ({Keys}) in ({JsonRows.Select(batch.Dialect, _table, _keys)})",
            new { rows = JsonRows.Serialize(batch.Dialect, keys) }, batch.Transaction)];
    }
}
