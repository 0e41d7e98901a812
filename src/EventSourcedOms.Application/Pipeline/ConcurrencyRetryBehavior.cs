using EventSourcedOms.Application.Sessions;
using EventSourcedOms.EventStore;
using Mediator;

namespace EventSourcedOms.Application.Pipeline;

/// <summary>
/// Last before the handler: when another writer changed a stream between load and append, the whole command runs
/// again on fresh state (a new session), a bounded number of times with a short random backoff. In one process the
/// stream locks make this rare; it is the cross-process safety net.
/// </summary>
public sealed class ConcurrencyRetryBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse> where TMessage : notnull, IMessage
{
    public const int MaxAttempts = 8;

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        if (message is not OmsCommand) return await next(message, ct);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await next(message, ct);
            }
            catch (WrongExpectedRevisionException e) when (!e.Stream.StartsWith(RequestRecords.StreamPrefix, StringComparison.Ordinal))
            {
                if (attempt == MaxAttempts) throw new ConcurrencyConflictException(e.Stream, attempt, e);
                OmsMetrics.Retries.Add(1, new KeyValuePair<string, object?>("command", typeof(TMessage).Name));
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 * attempt)), ct);
            }
        }
    }
}
