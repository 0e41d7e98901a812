using System.Diagnostics;
using EventSourcedOms.Domain;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventSourcedOms.Application.Pipeline;

/// <summary>
/// First in the pipeline: gives every command a correlation id (the caller's, else the current trace id), opens a
/// trace span and a log scope with it, and logs the outcome. The correlation id flows into every event's metadata.
/// </summary>
public sealed class LoggingBehavior<TMessage, TResponse>(ILogger<LoggingBehavior<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse> where TMessage : notnull, IMessage
{
    public static readonly ActivitySource Source = new("EventSourcedOms.Application");

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        if (message is not OmsCommand command) return await next(message, ct);

        var name = typeof(TMessage).Name;
        using var activity = Source.StartActivity(name);
        var correlationId = command.CorrelationId ?? Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
        activity?.SetTag("oms.correlation_id", correlationId);
        activity?.SetTag("oms.request_id", command.RequestId);
        using var scope = logger.BeginScope("{Command} CorrelationId:{CorrelationId} RequestId:{RequestId} Actor:{Actor}", name, correlationId, command.RequestId, command.Actor);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await next((TMessage)(object)(command with { CorrelationId = correlationId }), ct);
            logger.LogDebug("{Command} done in {ElapsedMs:F1} ms", name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Count(name, "ok");
            return response;
        }
        catch (DomainException e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Code);
            logger.LogInformation("{Command} rejected: {Code} {Message}", name, e.Code, e.Message);
            Count(name, "rejected");
            throw;
        }
        catch (CommandValidationException e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "validation");
            logger.LogInformation("{Command} invalid: {Message}", name, e.Message);
            Count(name, "invalid");
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            logger.LogWarning(e, "{Command} failed", name);
            Count(name, "failed");
            throw;
        }
    }

    static void Count(string command, string outcome) =>
        OmsMetrics.Commands.Add(1, new KeyValuePair<string, object?>("command", command), new KeyValuePair<string, object?>("outcome", outcome));
}
