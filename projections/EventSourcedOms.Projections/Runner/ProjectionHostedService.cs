using Microsoft.Extensions.Hosting;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// Runs the <see cref="ProjectionHost"/> inside a .NET host (the API process: <c>services.AddHostedService</c>), so
/// that projections start and stop with it. The standalone worker runs the same host without one.
/// </summary>
public sealed class ProjectionHostedService(ProjectionHost host) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await host.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
