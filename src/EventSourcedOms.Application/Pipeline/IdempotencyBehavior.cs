using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;
using EventSourcedOms.Application.Sessions;
using Mediator;

namespace EventSourcedOms.Application.Pipeline;

/// <summary>
/// A command with a request id runs at most once. Its outcome (result, or domain rejection) is stored under the id in
/// the same commit as its events (see <see cref="RequestRecords"/>), with a "no stream yet" expectation on the
/// record's stream. The record is not looked up first (that read would cost every first attempt a round trip): a
/// retry, or a racing copy, is decided again and its commit fails on the existing record, atomically, writing
/// nothing; then the stored outcome is returned, or the id is refused when it was used for another body.
/// </summary>
public sealed class IdempotencyBehavior<TMessage, TResponse>(SessionFactory sessions, TimeProvider time)
    : IPipelineBehavior<TMessage, TResponse> where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        if (message is not OmsCommand { RequestId: { } requestId } command) return await next(message, ct);

        var scope = new RequestScope(requestId, typeof(TMessage).Name, RequestRecords.Fingerprint(command));
        RequestScope.Current = scope;
        try
        {
            return await next(message, ct);
        }
        catch (WrongExpectedRevisionException e) when (e.Stream == RequestRecords.Stream(requestId))
        {
            // This request (or a copy of it) committed first; or the id belongs to another request.
            return await Replay(scope, ct) ?? throw new InvalidOperationException($"Request {requestId} conflicted but has no record.", e);
        }
        catch (RevisionConflictException)
        {
            // A retry of a request that went through has moved the stream past its If-Match: answer as the first time.
            if (await Replay(scope, ct) is { } first) return first;
            throw;
        }
        catch (DomainException rejection)
        {
            // A rejection is an outcome too: the retry must get the same answer even if stock has arrived since.
            var metadata = new EventMetadata { CorrelationId = command.CorrelationId, CausationId = requestId, Actor = command.Actor, OccurredAt = time.GetUtcNow() };
            try
            {
                await sessions.Store.AppendAsync(RequestRecords.Stream(requestId), ExpectedRevision.NoStream,
                    [RequestRecords.Rejected(scope.Command, scope.Fingerprint, rejection, metadata)], ct);
            }
            catch (WrongExpectedRevisionException)
            {
                if (await Replay(scope, ct) is { } first) return first;
            }
            throw;
        }
        finally
        {
            RequestScope.Current = null;
        }
    }

    async Task<TResponse?> Replay(RequestScope scope, CancellationToken ct)
    {
        if (await RequestRecords.FindAsync(sessions.Store, scope.RequestId, ct) is not var (record, position)) return default;
        switch (record)
        {
            case RequestRecords.CommandSucceeded s when s.Command == scope.Command && s.Fingerprint == scope.Fingerprint:
                return (TResponse)(object)(s.Result with { Position = position });
            case RequestRecords.CommandRejected r when r.Command == scope.Command && r.Fingerprint == scope.Fingerprint:
                throw new DomainException(r.Code, r.Message, r.ShortLines);
            case RequestRecords.CommandSucceeded s:
                throw new IdempotencyKeyReusedException(scope.RequestId, s.Command);
            case RequestRecords.CommandRejected r:
                throw new IdempotencyKeyReusedException(scope.RequestId, r.Command);
            default:
                return default;
        }
    }
}
