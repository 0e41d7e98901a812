using EventSourcedOms.EventStore;
using EventSourcedOms.Projections;
using EventSourcedOms.Projections.Runner;
using Microsoft.Extensions.Options;

namespace EventSourcedOms.Api.Hosting;

/// <summary>
/// Runs before the server listens (and before the projections start): opens the store, creates the read-model tables,
/// and seeds the demo data when asked. A store that cannot be reached fails the start, loudly.
/// </summary>
sealed class OmsStartup(IServiceProvider services, IOptions<OmsOptions> options, ILogger<OmsStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        services.GetRequiredService<IEventStore>();
        await services.GetRequiredService<ProjectionDatabase>().MigrateAsync(ReadModels.All, ct);
        logger.LogInformation("OMS store: {Store}; projections in this process: {RunProjections}", options.Value.Store, options.Value.RunProjections);
        if (options.Value.ApiKeys.Count == 0)
            logger.LogWarning("No API keys are configured (Oms:ApiKeys): every request will be refused with 401.");
        if (options.Value.Demo) await DemoData.SeedAsync(services, ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
