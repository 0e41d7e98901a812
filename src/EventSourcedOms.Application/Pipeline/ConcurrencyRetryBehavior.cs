using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;
using Mediator;

namespace EventSourcedOms.Application.Pipeline;

/// <summary>
/// Last before the handler: the command runs again on fresh state (a new session) when
/// <list type="bullet">
/// <item>another writer changed a stream between load and append (<see cref="WrongExpectedRevisionException"/>), or a
/// decision found its inputs inconsistent (<see cref="StaleStateException"/>): a bounded number of times, with a short
/// random backoff;</item>
/// <item>the domain rejected it while some of its state came from the cache unchecked: once, with every state read
/// from the store, so a rejection (which a request id stores for good) is never based on a stale cache.</item>
/// </list>
/// In one process the stream locks make conflicts rare; this is the cross-process safety net.
/// </summary>
public sealed class ConcurrencyRetryBehavior<TMessage, TResponse>(SessionFactory sessions) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public const int MaxAttempts = 8;

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        if (message is not OmsCommand) return await next(message, ct);
        var scope = new CacheScope();
        CacheScope.Current = scope;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                scope.Trusted.Clear();
                try
                {
                    return await next(message, ct);
                }
                catch (WrongExpectedRevisionException e) when (!e.Stream.StartsWith(RequestRecords.StreamPrefix, StringComparison.Ordinal))
                {
                    if (attempt == MaxAttempts) throw new ConcurrencyConflictException(e.Stream, attempt, e);
                    await Backoff(attempt, ct);
                }
                catch (StaleStateException e)
                {
                    if (attempt == MaxAttempts) throw new ConcurrencyConflictException(e.Stream, attempt, e);
                    sessions.MarkStale(e.Stream);
                    scope.Verify = true;
                    await Backoff(attempt, ct);
                }
                catch (DomainException) when (!scope.Verify && scope.Trusted.Count > 0)
                {
                    foreach (var stream in scope.Trusted) sessions.MarkStale(stream);
                    scope.Verify = true;
                }
            }
        }
        finally
        {
            CacheScope.Current = null;
        }
    }

    static Task Backoff(int attempt, CancellationToken ct)
    {
        OmsMetrics.Retries.Add(1, new KeyValuePair<string, object?>("command", typeof(TMessage).Name));
        return Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 * attempt)), ct);
    }
}
