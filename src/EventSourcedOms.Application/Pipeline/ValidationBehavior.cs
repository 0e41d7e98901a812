using Mediator;

namespace EventSourcedOms.Application.Pipeline;

/// <summary>Stateless rules before anything is loaded: a malformed command never reaches a handler or the store.</summary>
public sealed class ValidationBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse> where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        if (message is OmsCommand command)
        {
            var v = new Validator();
            if (command.RequestId is not null && !Sessions.RequestRecords.IsValidRequestId(command.RequestId))
                v.Error("requestId", "must be 1-100 characters of A-Z a-z 0-9 _ . : @ -");
            v.Text(command.Actor, "actor", required: false);
            v.Text(command.CorrelationId, "correlationId", max: 100, required: false);
            if (command is IValidatable validatable) validatable.Validate(v);
            if (v.Errors.Count > 0) throw new CommandValidationException(v.Errors);
        }
        return next(message, ct);
    }
}
