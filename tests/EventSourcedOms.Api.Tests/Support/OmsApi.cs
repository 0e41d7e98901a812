using System.Net.Http.Headers;
using EventSourcedOms.Api.Security;
using EventSourcedOms.EventStore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EventSourcedOms.Api.Tests.Support;

/// <summary>Which store an API under test runs on: a SQLite file in a temp folder, or schemas of the test PostgreSQL server.</summary>
public abstract record Backend
{
    public abstract IEnumerable<KeyValuePair<string, string?>> Settings { get; }
    public abstract Task DropAsync();
}

public sealed record SqliteBackend(string Folder) : Backend
{
    public SqliteBackend() : this(Path.Combine(Path.GetTempPath(), "oms-api-tests", Guid.NewGuid().ToString("N"))) { }

    public override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Oms:Store", "Sqlite"), new("Oms:DataDirectory", Folder)];

    public override Task DropAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed record PostgresBackend(EventStore.Tests.Support.PostgresServer Server, string Name) : Backend
{
    public PostgresBackend(EventStore.Tests.Support.PostgresServer server) : this(server, "api_" + Guid.NewGuid().ToString("N")[..12]) { }

    public override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("Oms:Store", "Postgres"), new("ConnectionStrings:Oms", Server.Require()), new("Oms:EventsSchema", Name), new("Oms:ReadSchema", Name + "_read")];

    public override async Task DropAsync()
    {
        await Server.DropSchemaAsync(Name);
        await Server.DropSchemaAsync(Name + "_read");
    }
}

/// <summary>
/// The real API in-process (TestServer, or real Kestrel with <see cref="WebApplicationFactory{T}.UseKestrel()"/>) on a
/// fresh store with the demo data, and one API key per role: the key of role R is <c>key-R</c>, its name <c>user-R</c>.
/// </summary>
public sealed class OmsApi(Backend backend, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public Backend Backend => backend;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in backend.Settings) builder.UseSetting(key, value);
        builder.UseSetting("Oms:Demo", "true");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Oms:ReadYourWritesWait", "00:00:05");
        for (var i = 0; i < Role.All.Count; i++)
        {
            builder.UseSetting($"Oms:ApiKeys:{i}:Name", "user-" + Role.All[i]);
            builder.UseSetting($"Oms:ApiKeys:{i}:Role", Role.All[i]);
            builder.UseSetting($"Oms:ApiKeys:{i}:Hash", ApiKeyRegistry.Hash("key-" + Role.All[i]));
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
    }

    /// <summary>A client sending the key of <paramref name="role"/> (none when null).</summary>
    public HttpClient As(string? role)
    {
        var client = CreateClient();
        if (role is not null) client.DefaultRequestHeaders.Add(ApiKeyRegistry.Header, "key-" + role);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public IEventStore Store => Services.GetRequiredService<IEventStore>();

    /// <summary>
    /// The position of the store's last event (0 when empty): what "nothing was written" is checked against. PostgreSQL's
    /// <c>$all</c> shows a committed event only once no older transaction is still running anywhere in the cluster, so
    /// pass the last position a command returned: the read waits until the feed has reached it.
    /// </summary>
    public async Task<long> HeadAsync(long atLeast = 0)
    {
        // Settled: reached atLeast, and the same on two reads 20 ms apart (no older transaction was hiding the tail).
        var previous = -1L;
        for (var tries = 0; ; tries++)
        {
            var head = await ReadHeadAsync();
            if ((head >= atLeast && head == previous) || tries == 500) return head;
            previous = head;
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    async Task<long> ReadHeadAsync()
    {
        long head = 0, from = 0;
        while (true)
        {
            var slice = await Store.ReadAllAsync(from, 1000, null, TestContext.Current.CancellationToken);
            if (slice.Events.Count > 0) head = slice.Events[^1].Position;
            if (slice.IsEnd) return head;
            from = slice.NextPosition;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await backend.DropAsync();
    }
}
