using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.EventStore.Tests.Conformance;

public abstract partial class EventStoreConformance
{
    [Fact]
    public async Task a_new_store_over_the_same_database_continues_revisions_and_positions()
    {
        var stream = TestEvents.NewStream();
        var before = await Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(3), Ct);
        var retried = TestEvents.Events(1);
        await Store.AppendAsync(stream, ExpectedRevision.Exact(2), retried, Ct);
        await Store.DisposeAsync();

        var reopened = await OpenAsync();
        var after = await reopened.AppendAsync(stream, ExpectedRevision.Exact(3), TestEvents.Events(2), Ct);
        var retryAfterRestart = await reopened.AppendAsync(stream, ExpectedRevision.Exact(2), retried, Ct);

        Assert.Equal(5, after.NextExpectedRevision);
        Assert.True(after.Position > before.Position);
        Assert.Equal(3, retryAfterRestart.NextExpectedRevision);
        Assert.Equal(6, (await reopened.ReadAllEvents(expectAtLeast: 6)).Count);
        await Assert.ThrowsAsync<WrongExpectedRevisionException>(() => reopened.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(1), Ct));
    }
}
