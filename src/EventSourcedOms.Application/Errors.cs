namespace EventSourcedOms.Application;

public sealed record FieldError(string Field, string Message);

/// <summary>The command is malformed; nothing was loaded or written. Each error names the field (camelCase path).</summary>
public sealed class CommandValidationException(IReadOnlyList<FieldError> errors)
    : Exception("The command is invalid: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

/// <summary>A request id was used before for a different command or body.</summary>
public sealed class IdempotencyKeyReusedException(string requestId, string firstCommand)
    : Exception($"Request id '{requestId}' was already used for a different {firstCommand} request.")
{
    public string RequestId { get; } = requestId;
}

/// <summary>Other writers kept changing a stream this command needs, past the bounded number of retries.</summary>
public sealed class ConcurrencyConflictException(string stream, int attempts, Exception inner)
    : Exception($"Stream '{stream}' kept changing concurrently; gave up after {attempts} attempts.", inner)
{
    public string Stream { get; } = stream;
}

/// <summary>The caller's expected revision (<see cref="OmsCommand.ExpectedRevision"/>) is not the stream's: nothing was written.</summary>
public sealed class RevisionConflictException(string stream, long expected, long actual)
    : Exception($"Stream '{stream}' is at revision {actual}, not at the expected {expected}.")
{
    public string Stream { get; } = stream;
    public long ExpectedRevision { get; } = expected;
    public long ActualRevision { get; } = actual;
}

/// <summary>Collects field errors; see <see cref="IValidatable"/>.</summary>
public sealed class Validator
{
    readonly List<FieldError> _errors = [];

    public IReadOnlyList<FieldError> Errors => _errors;

    public Validator Error(string field, string message) { _errors.Add(new(field, message)); return this; }

    public Validator Require(bool ok, string field, string message) => ok ? this : Error(field, message);

    public Validator Id(string? value, string field) =>
        Require(Domain.Streams.IsValidId(value), field, $"must be 1-{Domain.Streams.MaxIdLength} characters of A-Z a-z 0-9 _ . -");

    public Validator Text(string? value, string field, int max = 200, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value)) return required ? Error(field, "is required") : this;
        if (value.Length > max) return Error(field, $"must be at most {max} characters");
        return Require(!value.Any(char.IsControl), field, "must not contain control characters");
    }

    public Validator Positive(int value, string field, int max = 1_000_000) =>
        Require(value is > 0 and <= 1_000_000 && value <= max, field, $"must be between 1 and {max}");

    public Validator OneOf(string? value, IReadOnlyCollection<string> allowed, string field) =>
        Require(value is not null && allowed.Contains(value), field, $"must be one of: {string.Join(", ", allowed)}");

    public Validator Time(DateTimeOffset? value, string field, bool required = true) =>
        value is null ? (required ? Error(field, "is required") : this)
        : Require(value.Value.Year is >= 2000 and <= 2200, field, "must be a date between 2000 and 2200");
}

/// <summary>
/// A decision found the state it read inconsistent with what it was about to write (another writer got there
/// between its reads): nothing was written, and the command is decided again on fresh state.
/// </summary>
public sealed class StaleStateException(string stream, Exception inner)
    : Exception($"Stream '{stream}' changed while the command was deciding: {inner.Message}", inner)
{
    public string Stream { get; } = stream;
}

/// <summary>Too much work is already waiting; nothing was written. Retry later (HTTP 503).</summary>
public sealed class ServiceOverloadedException(string message) : Exception(message);
