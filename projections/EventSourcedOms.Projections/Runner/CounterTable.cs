namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// A pre-aggregated table: per key, counters that equal a count (or sum) over a detail table, so that dashboards read a
/// few rows instead of aggregating the detail rows on every request. The projector that writes the detail rows adds
/// each changed row's contribution (+1 for its new state, −1 for its old state) and flushes the sums in the same
/// transaction. A key whose first counter (its number of detail rows) reaches zero is deleted, so the table is a
/// function of the detail rows alone and a rebuild (with other batch boundaries) produces the very same rows.
/// </summary>
sealed class CounterTable(string table, string keys, string counters)
{
    readonly string[] _keys = keys.Split(',', StringSplitOptions.TrimEntries);
    readonly string[] _counters = counters.Split(',', StringSplitOptions.TrimEntries);

    /// <summary>The changes of one batch, by key (the key values joined, for equality).</summary>
    public sealed class Changes(CounterTable table)
    {
        readonly Dictionary<string, (object?[] Key, long[] Values)> _changes = new(StringComparer.Ordinal);

        public void Add(int sign, object?[] key, params long[] values)
        {
            var id = string.Join('\u001f', key.Select(k => k switch
            {
                DateTimeOffset d => d.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => k?.ToString() ?? "\u0000",
            }));
            if (!_changes.TryGetValue(id, out var entry)) _changes[id] = entry = (key, new long[values.Length]);
            for (var i = 0; i < values.Length; i++) entry.Values[i] += sign * values[i];
        }

        /// <summary>The keys whose counters the batch changes (net of what it counted in and out again).</summary>
        public IEnumerable<object?[]> Changed => _changes.Values.Where(c => c.Values.Any(v => v != 0)).Select(c => c.Key);

        public Task FlushAsync(ProjectionBatch batch) => table.FlushAsync(batch, _changes.Values);
    }

    public Changes Start() => new(this);

    async Task FlushAsync(ProjectionBatch batch, IEnumerable<(object?[] Key, long[] Values)> changes)
    {
        var rows = changes.Where(c => c.Values.Any(v => v != 0)).Select(c =>
        {
            var row = new Dictionary<string, object?>(_keys.Length + _counters.Length);
            for (var i = 0; i < _keys.Length; i++) row[_keys[i]] = c.Key[i];
            for (var i = 0; i < _counters.Length; i++) row[_counters[i]] = c.Values[i];
            return row;
        }).ToList();
        if (rows.Count == 0) return;
        var columns = _keys.Concat(_counters).ToList();
        var json = new { rows = JsonRows.Serialize(batch.Dialect, rows) };
        await batch.WriteAsync(
            $"""
            insert into {table} ({string.Join(", ", columns)}) {JsonRows.Select(batch.Dialect, table, columns)} where true
            on conflict ({keys}) do update set {string.Join(", ", _counters.Select(c => $"{c} = {table}.{c} + excluded.{c}"))}
            """, json);
        await batch.WriteAsync($"delete from {table} where ({keys}) in ({JsonRows.Select(batch.Dialect, table, _keys)}) and {_counters[0]} = 0", json);
    }
}
