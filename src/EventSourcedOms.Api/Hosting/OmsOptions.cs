namespace EventSourcedOms.Api.Hosting;

public enum StoreKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The <c>Oms</c> configuration section (appsettings.json, or environment variables such as <c>Oms__Store=Postgres</c>).
/// The PostgreSQL connection string is <c>ConnectionStrings:Oms</c> (<c>ConnectionStrings__Oms</c>).
/// </summary>
public sealed class OmsOptions
{
    public const string Section = "Oms";

    /// <summary>Sqlite (default: one file in <see cref="DataDirectory"/>, nothing to install) or Postgres.</summary>
    public StoreKind Store { get; set; } = StoreKind.Sqlite;

    /// <summary>Where the SQLite store lives (<c>oms.db</c>; read models in the same file). Created on first run.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>PostgreSQL schema of the event tables.</summary>
    public string EventsSchema { get; set; } = "oms";

    /// <summary>PostgreSQL schema of the read models (may sit in another database: <c>ConnectionStrings:OmsRead</c>).</summary>
    public string ReadSchema { get; set; } = "oms_read";

    /// <summary>Run the projections inside this process (one active runner per projection across all processes).</summary>
    public bool RunProjections { get; set; } = true;

    /// <summary>Seed two locations, a small catalogue and stock on start (idempotent: seeding twice changes nothing).</summary>
    public bool Demo { get; set; }

    /// <summary>Largest request body accepted; bigger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>How long a query with <c>minPosition</c> waits for the read models before answering stale.</summary>
    public TimeSpan ReadYourWritesWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>/health/ready</c> fails when a projection has more pending events than this.</summary>
    public long ReadyMaxPendingEvents { get; set; } = 5_000;

    /// <summary>API keys, each with a name (the actor in event metadata), a role and the key's hash (<c>sha256:…</c>).</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];
}

public sealed class ApiKeyOptions
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";

    /// <summary><c>sha256:</c> and the lowercase hex SHA-256 of the key; print one with <c>dotnet run --project src/EventSourcedOms.Api -- hash-key KEY</c>.</summary>
    public string Hash { get; set; } = "";
}
