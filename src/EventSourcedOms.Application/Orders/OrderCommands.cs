using EventSourcedOms.Application.Sessions;
using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Application.Orders;

/// <summary>The load → decide → commit path shared by commands that touch the order stream alone.</summary>
public static class OrderCommands
{
    public static async Task<CommandResult> DecideAsync(SessionFactory sessions, OmsCommand command, string orderId,
        Func<OrderState, DateTimeOffset, IReadOnlyList<object>> decide, DateTimeOffset? occurredAt, CancellationToken ct)
    {
        await using var session = sessions.Open();
        var order = await session.Order(orderId, ct);
        var at = occurredAt ?? session.Now;
        order.Apply(decide(order.State, at));
        return await session.CommitAsync(command, order, orderId, at, s => s.Status.ToCode(), ct);
    }
}
