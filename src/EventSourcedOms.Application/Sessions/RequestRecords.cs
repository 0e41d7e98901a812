using System.Security.Cryptography;
using System.Text.Json;
using EventSourcedOms.Domain;
using EventSourcedOms.EventStore;

namespace EventSourcedOms.Application.Sessions;

/// <summary>
/// Idempotency records: a command sent with a request id leaves one event in stream <c>request-&lt;id&gt;</c>, appended
/// with "no stream" in the same atomic commit as the command's own events. The stream name is the unique key, so two
/// racing copies of one request cannot both commit, and a retry finds the first result there.
/// </summary>
public static class RequestRecords
{
    public const string StreamPrefix = "request-";
    public const string SucceededType = "CommandSucceeded.v1", RejectedType = "CommandRejected.v1";

    public sealed record CommandSucceeded(string Command, string Fingerprint, CommandResult Result);

    public sealed record CommandRejected(string Command, string Fingerprint, string Code, string Message, IReadOnlyList<ShortLine> ShortLines);

    /// <summary>Request ids: 1–100 of <c>[A-Za-z0-9_.:@-]</c> (the store's stream name characters).</summary>
    public static bool IsValidRequestId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '@' or '-');

    public static string Stream(string requestId) => StreamPrefix + requestId;

    /// <summary>The command's content without who sent it: the same body under the same key is the same request.</summary>
    public static string Fingerprint(OmsCommand command)
    {
        var bare = command with { RequestId = null, CorrelationId = null, Actor = null };
        var json = JsonSerializer.SerializeToUtf8Bytes(bare, bare.GetType(), EventSerializer.Options);
        return Convert.ToHexStringLower(SHA256.HashData(json));
    }

    public static EventData Succeeded(string command, string fingerprint, CommandResult result, EventMetadata metadata) =>
        new(Guid.CreateVersion7(), SucceededType, JsonSerializer.SerializeToUtf8Bytes(new CommandSucceeded(command, fingerprint, result), EventSerializer.Options), metadata);

    public static EventData Rejected(string command, string fingerprint, DomainException error, EventMetadata metadata) =>
        new(Guid.CreateVersion7(), RejectedType,
            JsonSerializer.SerializeToUtf8Bytes(new CommandRejected(command, fingerprint, error.Code, error.Message, error.ShortLines), EventSerializer.Options), metadata);

    /// <summary>The outcome stored for a request id, or null if the request never committed.</summary>
    public static async Task<(object Record, long Position)?> FindAsync(IEventStore store, string requestId, CancellationToken ct)
    {
        var events = await store.ReadStreamAsync(Stream(requestId), 0, Direction.Forwards, 1, ct);
        if (events.Count == 0) return null;
        var e = events[0];
        object record = e.Type == SucceededType
            ? JsonSerializer.Deserialize<CommandSucceeded>(e.Data.Span, EventSerializer.Options)!
            : JsonSerializer.Deserialize<CommandRejected>(e.Data.Span, EventSerializer.Options)!;
        return (record, e.Position);
    }
}

/// <summary>The request being executed (set by the idempotency behaviour, read by the session's commit).</summary>
internal sealed record RequestScope(string RequestId, string Command, string Fingerprint)
{
    static readonly AsyncLocal<RequestScope?> Ambient = new();

    public static RequestScope? Current { get => Ambient.Value; set => Ambient.Value = value; }
}
