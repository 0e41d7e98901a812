using Mediator;

namespace EventSourcedOms.Application;

/// <summary>
/// Every command carries who sent it and why, which end up in the metadata of the events it writes:
/// <see cref="RequestId"/> is the client's idempotency key (a retry with the same key returns the first result),
/// <see cref="CorrelationId"/> ties together everything one business flow causes, <see cref="Actor"/> is the user or system.
/// </summary>
public abstract record OmsCommand : ICommand<CommandResult>
{
    public string? RequestId { get; init; }
    public string? CorrelationId { get; init; }
    public string? Actor { get; init; }

    /// <summary>
    /// Optional optimistic check (HTTP <c>If-Match</c>): the revision of the command's primary stream (the order, the
    /// stock item) the caller decided on. If the stream is elsewhere when the command commits, it fails with
    /// <see cref="RevisionConflictException"/> and is not retried: the caller has to look again.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] // keeps request fingerprints of commands without it as they were
    public long? ExpectedRevision { get; init; }
}

/// <summary>
/// What a command did: the aggregate it addressed, that stream's revision after the command, and the global position
/// of the command's last event (for read-your-writes). <see cref="Created"/> is false when the command found its
/// result already there (an imported channel order seen before).
/// </summary>
public sealed record CommandResult(string Id, string Stream, long Revision, long Position, string? Status = null, bool Created = true);

/// <summary>Stateless rules of a command (shape, ranges, formats), checked before any state is loaded.</summary>
public interface IValidatable
{
    void Validate(Validator v);
}
