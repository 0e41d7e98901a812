using EventSourcedOms.EventStore.Tests.Support;

namespace EventSourcedOms.EventStore.Tests.Conformance;

public abstract partial class EventStoreConformance
{
    ISnapshotStore Snapshots => Assert.IsAssignableFrom<ISnapshotStore>(Store);

    [Fact]
    public async Task a_snapshot_reads_back_and_only_a_later_one_replaces_it()
    {
        var stream = TestEvents.NewStream("stock");
        var appended = await Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(5), Ct);
        var events = await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 10, Ct);
        Assert.Null(await Snapshots.ReadSnapshotAsync(stream, Ct));

        Assert.True(await Snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, 2, events[2].Position, "test.v1", """{"at":2,"text":"ü\n"}"""), Ct));
        Assert.Equal(new StreamSnapshot(stream, 2, events[2].Position, "test.v1", """{"at":2,"text":"ü\n"}"""), await Snapshots.ReadSnapshotAsync(stream, Ct));

        // Older or equal: kept as it was (two writers racing leave the newer one).
        Assert.False(await Snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, 1, events[1].Position, "test.v1", "{}"), Ct));
        Assert.False(await Snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, 2, events[2].Position, "test.v1", "{}"), Ct));
        Assert.Equal(2, (await Snapshots.ReadSnapshotAsync(stream, Ct))!.Revision);

        Assert.True(await Snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, appended.NextExpectedRevision, appended.Position, "test.v2", "{\"at\":4}"), Ct));
        Assert.Equal(new StreamSnapshot(stream, 4, appended.Position, "test.v2", "{\"at\":4}"), await Snapshots.ReadSnapshotAsync(stream, Ct));
    }

    [Fact]
    public async Task a_snapshot_never_runs_ahead_of_its_stream_nor_names_another_event()
    {
        var stream = TestEvents.NewStream("stock");
        await Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(2), Ct);
        var events = await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 10, Ct);

        Assert.False(await Snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, 2, events[1].Position + 1, "test.v1", "{}"), Ct));  // no such revision yet
        Assert.False(await Snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, 1, events[0].Position, "test.v1", "{}"), Ct));      // wrong position
        Assert.False(await Snapshots.SaveSnapshotAsync(new StreamSnapshot(TestEvents.NewStream(), 0, events[0].Position, "test.v1", "{}"), Ct));
        Assert.Null(await Snapshots.ReadSnapshotAsync(stream, Ct));
    }

    [Fact]
    public async Task snapshots_saved_amid_concurrent_appends_are_all_kept_and_every_append_commits()
    {
        // Stock streams cross their snapshot boundary while other orders commit: the saves share the writer with the
        // appends (SQLite) or run beside them (PostgreSQL); neither may cost an append, nor be lost.
        var streams = Enumerable.Range(0, 32).Select(_ => TestEvents.NewStream("stock")).ToList();
        await Task.WhenAll(streams.Select(stream => Task.Run(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                var appended = await Store.AppendAsync(stream, i == 0 ? ExpectedRevision.NoStream : ExpectedRevision.Exact(2 * i - 1), TestEvents.Events(2), Ct);
                Assert.True(await Snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, appended.NextExpectedRevision, appended.Position, "test.v1", $"{{\"at\":{i}}}"), Ct));
                // One that names a revision the stream does not have yet is refused, beside the others, harming none.
                Assert.False(await Snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, appended.NextExpectedRevision + 1, appended.Position + 1, "test.v1", "{}"), Ct));
            }
        })));
        foreach (var stream in streams)
        {
            Assert.Equal(6, (await Store.ReadStreamAsync(stream, 0, Direction.Forwards, 10, Ct)).Count);
            Assert.Equal(new StreamSnapshot(stream, 5, (await Store.ReadStreamAsync(stream, 5, Direction.Forwards, 1, Ct))[0].Position, "test.v1", "{\"at\":2}"),
                await Snapshots.ReadSnapshotAsync(stream, Ct));
        }
    }

    [Fact]
    public async Task snapshots_survive_a_restart_and_bad_ones_are_refused_with_the_field_named()
    {
        var stream = TestEvents.NewStream("stock");
        var appended = await Store.AppendAsync(stream, ExpectedRevision.NoStream, TestEvents.Events(1), Ct);
        await Snapshots.SaveSnapshotAsync(new StreamSnapshot(stream, 0, appended.Position, "test.v1", "{}"), Ct);

        var reopened = Assert.IsAssignableFrom<ISnapshotStore>(await OpenAsync());
        Assert.Equal(0, (await reopened.ReadSnapshotAsync(stream, Ct))!.Revision);

        Assert.Equal("revision", (await Assert.ThrowsAsync<EventStoreValidationException>(() =>
            reopened.SaveSnapshotAsync(new StreamSnapshot(stream, -1, 0, "test.v1", "{}"), Ct))).Field);
        Assert.Equal("type", (await Assert.ThrowsAsync<EventStoreValidationException>(() =>
            reopened.SaveSnapshotAsync(new StreamSnapshot(stream, 0, appended.Position, " ", "{}"), Ct))).Field);
        Assert.Equal("stream", (await Assert.ThrowsAsync<EventStoreValidationException>(() => reopened.ReadSnapshotAsync("", Ct))).Field);
    }
}
