namespace EventSourcedOms.EventStore;

/// <summary>Input limits shared by every backend. An append over a limit is rejected before anything is written.</summary>
public sealed record EventStoreLimits
{
    /// <summary>Largest event, data plus metadata, in bytes of UTF-8 JSON.</summary>
    public int MaxEventBytes { get; init; } = 1024 * 1024;

    /// <summary>Most events in one append, counted over all its streams. At most <see cref="HardMaxEventsPerAppend"/>.</summary>
    public int MaxEventsPerAppend { get; init; } = 2000;

    public int MaxStreamNameLength { get; init; } = 200;

    public int MaxTypeNameLength { get; init; } = 200;

    /// <summary>The PostgreSQL backend numbers an append's events inside one 16-bit slot of its position.</summary>
    public const int HardMaxEventsPerAppend = 65_535;

    internal void Validate()
    {
        if (MaxEventBytes <= 0) throw new ArgumentOutOfRangeException(nameof(MaxEventBytes), MaxEventBytes, "Must be positive.");
        if (MaxEventsPerAppend is <= 0 or > HardMaxEventsPerAppend)
            throw new ArgumentOutOfRangeException(nameof(MaxEventsPerAppend), MaxEventsPerAppend, $"Must be 1 to {HardMaxEventsPerAppend}.");
        if (MaxStreamNameLength <= 0) throw new ArgumentOutOfRangeException(nameof(MaxStreamNameLength), MaxStreamNameLength, "Must be positive.");
        if (MaxTypeNameLength <= 0) throw new ArgumentOutOfRangeException(nameof(MaxTypeNameLength), MaxTypeNameLength, "Must be positive.");
    }
}
