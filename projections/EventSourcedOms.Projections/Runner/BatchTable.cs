using System.Reflection;
using Dapper;
using Npgsql;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// One read-model table as a batch writes it: rows are records whose properties are the table's columns (snake_case),
/// and every operation is one statement for the whole batch (PostgreSQL: one typed array per column, unnested, also
/// for the keys of reads and deletes; SQLite: one prepared statement run per row, and the keys of reads and deletes as
/// one JSON parameter). Upserts overwrite the row unless it already holds a later event (<c>last_position</c>), or do
/// nothing on a duplicate key when the table has no such column.
/// </summary>
sealed class BatchTable<TRow>
{
    readonly string _table;
    readonly string[] _keys;
    readonly string[] _columns;
    readonly string[] _properties;
    readonly Dictionary<string, PropertyInfo> _byColumn;
    readonly Func<IReadOnlyCollection<TRow>, Array>[] _arrays;
    readonly string _aliased;

    public BatchTable(string table, string keys)
    {
        _table = table;
        _keys = keys.Split(',', StringSplitOptions.TrimEntries);
        var properties = typeof(TRow).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        _properties = [.. properties.Select(p => p.Name)];
        _columns = [.. _properties.Select(JsonRows.Column)];
        _byColumn = properties.ToDictionary(p => JsonRows.Column(p.Name));
        _arrays = [.. properties.Select(ColumnArray)];
        _aliased = string.Join(", ", properties.Select(p => $"{JsonRows.Column(p.Name)} as {p.Name}"));
    }

    string Keys => string.Join(", ", _keys);

    /// <summary>Writes <paramref name="rows"/> (one per key).</summary>
    public async Task UpsertAsync(ProjectionBatch batch, IReadOnlyCollection<TRow> rows)
    {
        if (rows.Count == 0) return;
        var update = _columns.Except(_keys).ToList();
        // A rebuild's insert-only table without its key: a plain insert.
        var onConflict = batch.KeylessTables.Contains(_table) ? "" : $" on conflict ({Keys}) " + (!_columns.Contains("last_position")
            ? "do nothing"
            : $"do update set {string.Join(", ", update.Select(c => $"{c} = excluded.{c}"))} where {_table}.last_position < excluded.last_position");
        if (batch.Dialect == SqlDialect.Sqlite)
        {
            // In-process SQLite: one prepared statement run per row is about twice as fast as extracting every column from JSON.
            await batch.Connection.ExecuteAsync(
                $"insert into {_table} ({string.Join(", ", _columns)}) values ({string.Join(", ", _properties.Select(p => "@" + p))}){onConflict}",
                rows, batch.Transaction);
            return;
        }
        // PostgreSQL: one array per column (binary, typed by the column's CLR type), unnested into rows.
        var insert = new NpgsqlBatchCommand();
        insert.CommandText = $"insert into {_table} ({string.Join(", ", _columns)}) select * from unnest({string.Join(", ", _columns.Select((_, i) => $"@p{i}"))}){onConflict}";
        for (var i = 0; i < _arrays.Length; i++) insert.Parameters.Add(new NpgsqlParameter($"p{i}", _arrays[i](rows)));
        batch.Queue(insert);
    }

    /// <summary>
    /// One column of the rows as a typed array (<c>int[]</c>, <c>string[]</c>, <c>DateTimeOffset?[]</c>...), read through
    /// the property's getter: no boxing per value. Timestamps in UTC, the only offset <c>timestamptz</c> takes.
    /// </summary>
    static Func<IReadOnlyCollection<TRow>, Array> ColumnArray(PropertyInfo property)
    {
        var type = property.PropertyType;
        var method = type == typeof(DateTimeOffset) ? nameof(UtcTimes) : type == typeof(DateTimeOffset?) ? nameof(UtcNullableTimes) : nameof(Values);
        var typed = typeof(BatchTable<TRow>).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!;
        return (Func<IReadOnlyCollection<TRow>, Array>)(typed.IsGenericMethodDefinition ? typed.MakeGenericMethod(type) : typed).Invoke(null, [property])!;
    }

    static Func<IReadOnlyCollection<TRow>, Array> Values<TValue>(PropertyInfo property) => Column(property.GetMethod!.CreateDelegate<Func<TRow, TValue>>());

    static Func<IReadOnlyCollection<TRow>, Array> UtcTimes(PropertyInfo property)
    {
        var get = property.GetMethod!.CreateDelegate<Func<TRow, DateTimeOffset>>();
        return Column(row => get(row).ToUniversalTime());
    }

    static Func<IReadOnlyCollection<TRow>, Array> UtcNullableTimes(PropertyInfo property)
    {
        var get = property.GetMethod!.CreateDelegate<Func<TRow, DateTimeOffset?>>();
        return Column(row => get(row)?.ToUniversalTime());
    }

    static Func<IReadOnlyCollection<TRow>, Array> Column<TValue>(Func<TRow, TValue> get) => rows =>
    {
        var values = new TValue[rows.Count];
        var n = 0;
        foreach (var row in rows) values[n++] = get(row);
        return values;
    };

    /// <summary>Deletes the rows with the keys of <paramref name="keys"/> (only those properties are read), or with the same <paramref name="by"/> columns.</summary>
    public async Task DeleteAsync(ProjectionBatch batch, IReadOnlyCollection<TRow> keys, string? by = null)
    {
        if (keys.Count == 0) return;
        var columns = by is null ? _keys : by.Split(',', StringSplitOptions.TrimEntries);
        if (batch.Dialect == SqlDialect.Postgres)
        {
            var delete = new NpgsqlBatchCommand($"delete from {_table} where ({string.Join(", ", columns)}) in ({Unnest(columns)})");
            foreach (var (name, values) in KeyArrays(columns, keys)) delete.Parameters.Add(new NpgsqlParameter(name, values));
            batch.Queue(delete);
            return;
        }
        await batch.WriteAsync($"delete from {_table} where ({string.Join(", ", columns)}) in ({JsonRows.Select(batch.Dialect, _table, columns)})",
            new { rows = Only(batch, columns, keys) });
    }

    /// <summary>The stored rows with the keys of <paramref name="keys"/>.</summary>
    public async Task<IReadOnlyList<TRow>> ReadAsync(ProjectionBatch batch, IReadOnlyCollection<TRow> keys)
    {
        if (keys.Count == 0) return [];
        if (batch.Dialect == SqlDialect.Postgres)
        {
            var args = new DynamicParameters();
            foreach (var (name, values) in KeyArrays(_keys, keys)) args.Add(name, values);
            return [.. await batch.QueryAsync<TRow>($"select {_aliased} from {_table} where ({Keys}) in ({Unnest(_keys)})", args)];
        }
        return [.. await batch.QueryAsync<TRow>($"select {_aliased} from {_table} where ({Keys}) in ({JsonRows.Select(batch.Dialect, _table, _keys)})",
            new { rows = Only(batch, _keys, keys) })];
    }

    // PostgreSQL: the key columns as typed arrays (the same ones upserts send), unnested into rows; no JSON to build or parse.
    static string Unnest(string[] columns) => $"select * from unnest({string.Join(", ", columns.Select((_, i) => $"@k{i}"))})";

    IEnumerable<(string Name, Array Values)> KeyArrays(string[] columns, IReadOnlyCollection<TRow> rows) =>
        columns.Select((column, i) => ($"k{i}", _arrays[Array.IndexOf(_columns, column)](rows)));

    // SQLite: just the columns a statement matches on (a batch's keys are a small part of its rows), as JSON.
    string Only(ProjectionBatch batch, string[] columns, IEnumerable<TRow> rows) =>
        JsonRows.Serialize(batch.Dialect, rows.Select(r => columns.ToDictionary(c => c, c => _byColumn[c].GetValue(r))));
}
