using System.Diagnostics;

namespace EventSourcedOms.Api.Features;

public static class Correlation
{
    public const string CorrelationIdHeader = "X-Correlation-Id";

    /// <summary>
    /// The caller's <c>X-Correlation-Id</c> when it is a sane token, else the W3C trace id of this request. Echoed on the
    /// response and written into every event the request causes.
    /// </summary>
    public static string CorrelationId(this HttpContext context)
    {
        if (context.Items.TryGetValue(CorrelationIdHeader, out var known) && known is string id) return id;
        var header = context.Request.Headers[CorrelationIdHeader].ToString();
        id = header.Length is > 0 and <= 100 && header.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? header
            : Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        context.Items[CorrelationIdHeader] = id;
        return id;
    }
}
