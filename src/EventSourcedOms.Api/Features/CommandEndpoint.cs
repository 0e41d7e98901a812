using System.Globalization;
using EventSourcedOms.Application;
using FastEndpoints;
using Mediator;

namespace EventSourcedOms.Api.Features;

/// <summary>What every command answers: the resource it addressed, its status, revision and the global position of the
/// command's last event (pass it as <c>minPosition</c> to a query to read your own write).</summary>
public sealed record CommandResponse(string Id, string? Status, long Revision, long Position, bool Created);

/// <summary>
/// The one path from HTTP to a command: the caller's <c>Idempotency-Key</c> (scoped to the API key's name, so two
/// clients never collide), <c>If-Match</c> (expected revision), correlation id and actor go onto the command; the
/// Mediator pipeline validates, deduplicates, retries and commits it; the result becomes 200 or 201.
/// </summary>
public abstract class CommandEndpoint<TRequest> : Endpoint<TRequest, CommandResponse> where TRequest : notnull
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>HttpContext item naming the order a command addressed (route values are gone by the time errors are mapped).</summary>
    public const string OrderIdItem = "oms.orderId";

    /// <summary>Sends <paramref name="command"/>; with <paramref name="createdLocation"/>, a newly created resource answers 201 there.</summary>
    protected async Task SendCommandAsync(OmsCommand command, CancellationToken ct, Func<CommandResult, string>? createdLocation = null)
    {
        if (HttpContext.Request.RouteValues.TryGetValue("id", out var orderId)) HttpContext.Items[OrderIdItem] = orderId;
        var errors = new List<(string, string)>();
        var requestId = IdempotencyKey(errors);
        var expected = ExpectedRevision(errors);
        if (errors.Count > 0) throw new CommandValidationException([.. errors.Select(e => new FieldError(e.Item1, e.Item2))]);

        var result = await Resolve<IMediator>().Send(command with
        {
            RequestId = requestId,
            ExpectedRevision = expected,
            CorrelationId = HttpContext.CorrelationId(),
            Actor = User.Identity?.Name,
        }, ct);

        HttpContext.Response.Headers.ETag = $"\"{result.Revision.ToString(CultureInfo.InvariantCulture)}\"";
        var response = new CommandResponse(result.Id, result.Status, result.Revision, result.Position, result.Created);
        if (createdLocation is not null && result.Created)
        {
            HttpContext.Response.Headers.Location = createdLocation(result);
            await Send.ResponseAsync(response, StatusCodes.Status201Created, ct);
        }
        else await Send.OkAsync(response, ct);
    }

    string? IdempotencyKey(List<(string, string)> errors)
    {
        var values = HttpContext.Request.Headers[IdempotencyKeyHeader];
        if (values.Count == 0) return null;
        var key = values[0];
        if (values.Count > 1 || string.IsNullOrEmpty(key) || key.Length > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '@' or '-'))
        {
            errors.Add((IdempotencyKeyHeader, "must be one value of 1-64 characters of A-Z a-z 0-9 _ . : @ - (a UUID works)"));
            return null;
        }
        // Scoped to the API key: the same key from two clients names two requests.
        return $"{User.Identity?.Name}:{key}";
    }

    long? ExpectedRevision(List<(string, string)> errors)
    {
        var values = HttpContext.Request.Headers.IfMatch;
        if (values.Count == 0) return null;
        var text = values[0]?.Trim().Trim('"');
        if (values.Count == 1 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision)) return revision;
        errors.Add(("If-Match", "must be one revision (the ETag of a previous response), e.g. \"3\""));
        return null;
    }
}
