using Npgsql;

namespace EventSourcedOms.Bench;

/// <summary>
/// The stores a run makes under names of their own (<c>bench_proj_&lt;hhmmss&gt;</c> and the like: PostgreSQL schemas
/// <c>name</c> and <c>name_read</c>, SQLite files <c>&lt;sqlite-dir&gt;/name.db*</c> or folders <c>&lt;sqlite-dir&gt;/name/</c>).
/// A run that completes without problems removes them, unless <c>--keep-data</c>: against a long-lived cluster (<c>--pg</c>) they piled up,
/// 1.8 GB for each 1M-event projections run. The scale group's store has one fixed name and is kept for
/// <c>--scale-reuse</c>; it is not listed here.
/// </summary>
internal static class BenchData
{
    static readonly List<string> Names = [];

    /// <summary>Lists <paramref name="name"/> for removal at the end of the run; returns it.</summary>
    public static string Made(string name)
    {
        lock (Names)
            if (!Names.Contains(name)) Names.Add(name);
        return name;
    }

    public static async Task RemoveAsync(BenchOptions options)
    {
        if (options.KeepData || Names.Count == 0) return;
        if (options.PostgresConnection is { } pg && options.Backends.Contains("postgres"))
        {
            foreach (var name in Names) await DropSchemasAsync(pg, name);
        }
        foreach (var name in Names)
        {
            if (Directory.Exists(options.SqliteDirectory))  // the file, its -wal and -shm, the projections' lease files (.db.<projection>.lock)
                foreach (var file in Directory.EnumerateFiles(options.SqliteDirectory, name + ".db*"))
                    File.Delete(file);
            var folder = Path.GetDirectoryName(ApiProcess.SqlitePath(options, name))!;
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        Console.WriteLine($"removed this run's stores ({string.Join(", ", Names)}; --keep-data keeps them)");
    }

    /// <summary>Drops the PostgreSQL schemas of the store <paramref name="name"/>: <c>name</c> and <c>name_read</c>.</summary>
    public static async Task DropSchemasAsync(string connectionString, string name)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists {name} cascade; drop schema if exists {name}_read cascade", conn);
        await drop.ExecuteNonQueryAsync();
    }
}
