namespace EventSourcedOms.EventStore;

/// <summary>
/// What the caller believes about a stream before appending, as in EventStoreDB: <see cref="Any"/>,
/// <see cref="NoStream"/>, <see cref="StreamExists"/> or an exact revision (0 is the first event).
/// </summary>
public readonly record struct ExpectedRevision
{
    // The encoding is shared with the PostgreSQL append function: exact >= 0, NoStream -1, Any -2, StreamExists -3.
    internal const long NoStreamValue = -1, AnyValue = -2, StreamExistsValue = -3;

    // Stored shifted so that default(ExpectedRevision), a forgotten field, is no valid expectation at all.
    const long Shift = 4;
    readonly long _shifted;

    ExpectedRevision(long value) => _shifted = value + Shift;

    internal long Value => _shifted - Shift;

    /// <summary>True for <c>default(ExpectedRevision)</c>, which appends reject.</summary>
    public bool IsUnset => _shifted == 0;

    public static ExpectedRevision Any { get; } = new(AnyValue);
    public static ExpectedRevision NoStream { get; } = new(NoStreamValue);
    public static ExpectedRevision StreamExists { get; } = new(StreamExistsValue);

    public static ExpectedRevision Exact(long revision) =>
        revision >= 0 ? new(revision) : throw new ArgumentOutOfRangeException(nameof(revision), revision, "A stream revision is 0 or more.");

    /// <summary>Whether a stream whose last revision is <paramref name="current"/> (-1: no stream) satisfies this expectation.</summary>
    public bool IsSatisfiedBy(long current) => Value switch
    {
        AnyValue => true,
        StreamExistsValue => current >= 0,
        _ => current == Value,
    };

    public override string ToString() => IsUnset ? "unset" : Value switch
    {
        AnyValue => "any",
        NoStreamValue => "no stream",
        StreamExistsValue => "stream exists",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
