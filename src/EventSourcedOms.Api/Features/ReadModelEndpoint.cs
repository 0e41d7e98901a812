using EventSourcedOms.Projections.Runner;
using FastEndpoints;
using Microsoft.Extensions.Options;

namespace EventSourcedOms.Api.Features;

/// <summary>Query parameters every read-model query accepts.</summary>
public abstract record ReadRequest
{
    /// <summary>Read-your-writes: the <c>position</c> a command returned. The query waits (up to 2 s) until the read
    /// model has applied it; if it has not by then, it answers anyway with <c>X-Read-Model-Stale: true</c>.</summary>
    public long? MinPosition { get; init; }
}

/// <summary>A query endpoint over read models: waits for <see cref="ReadRequest.MinPosition"/> first.</summary>
public abstract class ReadModelEndpoint<TRequest, TResponse> : Endpoint<TRequest, TResponse> where TRequest : ReadRequest
{
    public const string StaleHeader = "X-Read-Model-Stale";

    /// <summary>The read models this query reads.</summary>
    protected abstract IEnumerable<IProjection> Reads { get; }

    public sealed override async Task HandleAsync(TRequest req, CancellationToken ct)
    {
        if (req.MinPosition is { } position)
        {
            if (position < 0) ThrowError(r => r.MinPosition!, "must be 0 or more");
            var wait = Resolve<IOptions<Hosting.OmsOptions>>().Value.ReadYourWritesWait;
            var ryw = Resolve<ReadYourWrites>();
            var deadline = TimeProvider.System.GetTimestamp();
            foreach (var projection in Reads)
            {
                var left = wait - TimeProvider.System.GetElapsedTime(deadline);
                if (left <= TimeSpan.Zero || !await ryw.WaitForAsync(projection, position, left, ct))
                {
                    HttpContext.Response.Headers[StaleHeader] = "true";
                    break;
                }
            }
        }
        await QueryAsync(req, ct);
    }

    protected abstract Task QueryAsync(TRequest req, CancellationToken ct);
}
