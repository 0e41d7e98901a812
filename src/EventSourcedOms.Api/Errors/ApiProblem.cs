using System.Text.Json;
using System.Text.Json.Serialization;
using EventSourcedOms.Domain;

namespace EventSourcedOms.Api.Errors;

/// <summary>
/// Every error response: an RFC 9457 problem details document (<c>application/problem+json</c>). <see cref="Type"/> is
/// stable per error (<c>/problems/&lt;code&gt;</c>, listed in docs/api.md) and <see cref="Code"/> repeats its last part.
/// Validation errors name each field (camelCase JSON path); conflicts carry what conflicted.
/// </summary>
public sealed record ApiProblem
{
    public required string Type { get; init; }
    public required string Title { get; init; }
    public required int Status { get; init; }
    public string? Detail { get; init; }
    public string? Instance { get; init; }
    public required string Code { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    /// <summary>For conflicts on an order: its status now.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CurrentStatus { get; init; }

    /// <summary>For conflicts: the stream's revision now (send it as <c>If-Match</c> to act on what you have seen).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? CurrentRevision { get; init; }

    /// <summary>For insufficient stock: each line that could not be filled.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ShortLine>? ShortLines { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TraceId { get; init; }

    public static ApiProblem Of(int status, string code, string title, string? detail = null) =>
        new() { Type = "/problems/" + code, Title = title, Status = status, Code = code, Detail = detail };

    public static ApiProblem Validation(IEnumerable<(string Field, string Message)> errors) => Of(400, "validation", "The request is invalid",
        "One or more fields are invalid; see errors.") with
    {
        Errors = errors.GroupBy(e => e.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(e => e.Message).Distinct().ToArray(), StringComparer.Ordinal),
    };

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>This problem about the request of <paramref name="context"/>: its path and trace id filled in.</summary>
    public ApiProblem For(HttpContext context) => this with
    {
        Instance = Instance ?? context.Request.Path.Value,
        TraceId = TraceId ?? System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier,
    };

    public async Task WriteAsync(HttpContext context)
    {
        var problem = For(context);
        context.Response.StatusCode = Status;
        context.Response.ContentType = "application/problem+json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(problem, Json), context.RequestAborted);
    }
}
