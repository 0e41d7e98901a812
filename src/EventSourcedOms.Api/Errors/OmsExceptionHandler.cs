using System.Data.Common;
using EventSourcedOms.Api.Features;
using EventSourcedOms.Application;
using EventSourcedOms.Domain;
using EventSourcedOms.Domain.Orders;
using EventSourcedOms.EventStore;
using Microsoft.AspNetCore.Diagnostics;

namespace EventSourcedOms.Api.Errors;

/// <summary>
/// Turns every failure into a problem details document with an honest status: the request's fault (400/404/409/413/422),
/// a temporary condition (503 with Retry-After), or ours (500, logged). Nothing here writes to the store.
/// </summary>
sealed class OmsExceptionHandler(OrderReader orders, Projections.Runner.ProjectionDatabase readModels, ILogger<OmsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (context.Response.HasStarted) return false;
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499; // the client went away; nobody reads this
            return true;
        }
        var problem = exception switch
        {
            CommandValidationException e => ApiProblem.Validation(e.Errors.Select(f => (f.Field, f.Message))),
            DomainException e => await FromDomain(context, e, ct),
            IdempotencyKeyReusedException e => ApiProblem.Of(422, "idempotency-key-reused", "The Idempotency-Key was used for another request", e.Message),
            RevisionConflictException e => ApiProblem.Of(409, "revision-conflict", "The resource has changed", e.Message) with { CurrentRevision = e.ActualRevision },
            ConcurrencyConflictException e => ApiProblem.Of(409, "concurrency-conflict", "Too many concurrent changes", e.Message + " Retry the request."),
            WrongExpectedRevisionException e => ApiProblem.Of(409, "concurrency-conflict", "Too many concurrent changes", e.Message + " Retry the request.") with { CurrentRevision = e.ActualRevision },
            ServiceOverloadedException e => Unavailable(context, 1, "overloaded", "The service is busy", e.Message),
            EventStoreUnavailableException e => Unavailable(context, 2, "store-unavailable", "The event store is unreachable",
                e.OutcomeUnknown ? "The connection broke while committing: the command may have been applied. Retry with the same Idempotency-Key to find out." : "Nothing was written. Retry later."),
            DbException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException =>
                ReadModelsDown(context),
            ArgumentException { ParamName: "cursor" } e => ApiProblem.Validation([("cursor", "is not a cursor this API returned")]) with { Detail = e.Message },
            BadHttpRequestException { StatusCode: 413 } => ApiProblem.Of(413, "body-too-large", "The request body is too large"),
            BadHttpRequestException e => ApiProblem.Of(400, "bad-request", "The request is malformed", e.Message),
            _ => null,
        };
        if (problem is null)
        {
            // Log the exception itself, never the request (headers carry API keys).
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            problem = ApiProblem.Of(500, "internal-error", "Something went wrong on our side", "The error was logged with the trace id below.");
        }
        await problem.WriteAsync(context);
        return true;
    }

    // Pooled connections are not checked before use: after an outage each idle one would fail one more query.
    ApiProblem ReadModelsDown(HttpContext context)
    {
        readModels.ClearPool();
        return Unavailable(context, 2, "read-models-unavailable", "The read-model database is unreachable", "Retry later.");
    }

    static ApiProblem Unavailable(HttpContext context, int retryAfterSeconds, string code, string title, string detail)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ApiProblem.Of(503, code, title, detail);
    }

    async Task<ApiProblem> FromDomain(HttpContext context, DomainException e, CancellationToken ct)
    {
        var status = DomainStatus(e.Code);
        var problem = ApiProblem.Of(status, e.Code, Titles.GetValueOrDefault(e.Code, "The command is not allowed in the current state"), e.Message);
        if (e.ShortLines.Count > 0) problem = problem with { ShortLines = e.ShortLines };
        // A conflict on an order says where the order stands now, so the client can decide what to do.
        if (status == 409 && context.Items.TryGetValue(CommandEndpoint<object>.OrderIdItem, out var id) && id is string orderId && Streams.IsValidId(orderId)
            && await orders.LoadAsync(orderId, null, null, ct) is { Revision: >= 0 } current)
            problem = problem with { CurrentStatus = current.State.Status.ToCode(), CurrentRevision = current.Revision };
        return problem;
    }

    /// <summary>404: the thing addressed does not exist; 422: the request refers to something unusable; 409: the state forbids it now.</summary>
    public static int DomainStatus(string code) => code switch
    {
        ErrorCodes.OrderNotFound or ErrorCodes.LineNotFound or ErrorCodes.ShipmentNotFound => 404,
        ErrorCodes.UnknownLocation or ErrorCodes.LocationDoesNotShip or ErrorCodes.OrderTooFragmented or ErrorCodes.StockLimitExceeded => 422,
        _ => 409,
    };

    static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        [ErrorCodes.OrderNotFound] = "Order not found",
        [ErrorCodes.LineNotFound] = "Order line not found",
        [ErrorCodes.ShipmentNotFound] = "Shipment not found",
        [ErrorCodes.InsufficientStock] = "Not enough stock",
        [ErrorCodes.OrderAlreadyExists] = "The order already exists",
        [ErrorCodes.UnknownLocation] = "Unknown location",
        [ErrorCodes.LocationDoesNotShip] = "The location does not ship",
        [ErrorCodes.ShipmentIdConflict] = "The shipment id is taken by another shipment",
    };
}
