using System.Diagnostics.Metrics;
using EventSourcedOms.Application;
using EventSourcedOms.Application.Pipeline;
using EventSourcedOms.Projections;
using EventSourcedOms.Projections.Runner;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace EventSourcedOms.Api.Hosting;

/// <summary>
/// OpenTelemetry traces (HTTP requests, commands) and metrics (HTTP, <c>oms.commands</c>, <c>oms.command.retries</c>,
/// <c>oms.projection.lag.events</c>), exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
static class OmsTelemetry
{
    public static readonly Meter Meter = new("EventSourcedOms.Api");

    public static void AddOmsTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProjectionLagGauge>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProjectionLagGauge>());
        var otel = builder.Services.AddOpenTelemetry()
            .WithTracing(t => t.AddAspNetCoreInstrumentation(o => o.Filter = c => !c.Request.Path.StartsWithSegments("/health"))
                .AddSource(LoggingBehavior<Mediator.IMessage, object>.Source.Name))
            .WithMetrics(m => m.AddAspNetCoreInstrumentation().AddMeter(OmsMetrics.Meter.Name, Meter.Name));
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) otel.UseOtlpExporter();
    }

    /// <summary>Samples every projection's pending events every few seconds for the <c>oms.projection.lag.events</c> gauge.</summary>
    sealed class ProjectionLagGauge(ProjectionStatusQueries status, ILogger<ProjectionLagGauge> logger) : BackgroundService
    {
        volatile IReadOnlyList<ProjectionStatus> _last = [];

        protected override async Task ExecuteAsync(CancellationToken ct)
        {
            Meter.CreateObservableGauge("oms.projection.lag.events",
                () => _last.Select(s => new Measurement<long>(s.PendingEvents, new KeyValuePair<string, object?>("projection", s.Name))),
                description: "Events of the projection's filter not applied yet (at most 10,000 counted)");
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
            do
            {
                try { _last = await status.AllAsync(ReadModels.All, ct); }
                catch (Exception e) when (e is not OperationCanceledException) { logger.LogDebug(e, "Projection lag sample failed"); }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
    }
}
