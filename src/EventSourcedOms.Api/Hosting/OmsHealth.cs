using System.Text.Json;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections;
using EventSourcedOms.Projections.Runner;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EventSourcedOms.Api.Hosting;

/// <summary>
/// <c>/health/live</c>: the process answers. <c>/health/ready</c>: the event store answers a read, and every projection
/// is healthy (no poison event) with at most <see cref="OmsOptions.ReadyMaxPendingEvents"/> events to catch up on.
/// Both are anonymous (load balancers call them) and say nothing secret.
/// </summary>
static class OmsHealth
{
    const string Ready = "ready";

    public static IServiceCollection AddOmsHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<StoreCheck>("store", tags: [Ready])
            .AddCheck<ProjectionsCheck>("projections", tags: [Ready]);
        return services;
    }

    public static void MapOmsHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = Write });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = Write });
    }

    static Task Write(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        }, JsonSerializerOptions.Web));
    }

    sealed class StoreCheck(IEventStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                await store.ReadAllAsync(0, 1, null, timeout.Token);
                return HealthCheckResult.Healthy("The event store answers.");
            }
            catch (Exception e) when (e is EventStoreException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("The event store does not answer: " + e.GetType().Name);
            }
        }
    }

    sealed class ProjectionsCheck(ProjectionStatusQueries status, IOptions<OmsOptions> options) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
        {
            try
            {
                var all = await status.AllAsync(ReadModels.All, ct);
                var data = all.ToDictionary(s => s.Name, s => (object)new { pending = s.PendingEvents, position = s.Position, error = s.Error });
                var failed = all.Where(s => !s.Healthy).Select(s => s.Name).ToList();
                var behind = all.Where(s => s.PendingEvents > options.Value.ReadyMaxPendingEvents).Select(s => s.Name).ToList();
                if (failed.Count > 0) return HealthCheckResult.Unhealthy($"Stopped on an event it cannot apply: {string.Join(", ", failed)}.", data: data);
                if (behind.Count > 0) return HealthCheckResult.Unhealthy($"More than {options.Value.ReadyMaxPendingEvents} events behind: {string.Join(", ", behind)}.", data: data);
                return HealthCheckResult.Healthy("Every projection is caught up.", data);
            }
            catch (Exception e) when (e is EventStoreException or System.Data.Common.DbException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                return HealthCheckResult.Unhealthy("Projection status unavailable: " + e.GetType().Name);
            }
        }
    }
}
