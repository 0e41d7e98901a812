using EventSourcedOms.Domain;

namespace EventSourcedOms.Application;

static class Consistency
{
    /// <summary>
    /// Runs a follow-up decision on a stream whose state must agree with a decision already taken (a reservation the
    /// order says it holds, a backorder the queue says is waiting). A refusal there means one side was read before
    /// another writer changed it, not that the caller's command is wrong: it becomes a <see cref="StaleStateException"/>,
    /// which re-runs the command on fresh state instead of answering with (and storing) a rejection.
    /// </summary>
    public static IReadOnlyList<object> Check(string stream, Func<IReadOnlyList<object>> decide)
    {
        try
        {
            return decide();
        }
        catch (Exception e) when (e is DomainException or InvalidOperationException)
        {
            throw new StaleStateException(stream, e);
        }
    }
}
