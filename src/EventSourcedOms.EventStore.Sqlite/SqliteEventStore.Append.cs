using System.Text;
using Microsoft.Data.Sqlite;

namespace EventSourcedOms.EventStore.Sqlite;

public sealed partial class SqliteEventStore
{
    /// <summary>What the single writer writes in its next transaction, each in a savepoint of its own: an append, or a snapshot.</summary>
    abstract record PendingWrite
    {
        public abstract void Succeed(object result);
        public abstract void Fail(Exception error);
    }

    sealed record PendingAppend(PreparedAppend Append, TaskCompletionSource<MultiStreamAppendResult> Done) : PendingWrite
    {
        public override void Succeed(object result) => Done.TrySetResult((MultiStreamAppendResult)result);
        public override void Fail(Exception error) => Done.TrySetException(error);
    }

    /// <summary>
    /// A snapshot goes through the writer too: written on a connection of its own it had to wait for the write lock,
    /// which the writer holds for most of the time under load, in SQLite's busy handler (sleeps of up to 100 ms), and the
    /// command that crossed a snapshot boundary waited with it. Here it joins the next group commit.
    /// </summary>
    sealed record PendingSnapshot(StreamSnapshot Snapshot, TaskCompletionSource<bool> Done) : PendingWrite
    {
        public override void Succeed(object result) => Done.TrySetResult((bool)result);
        public override void Fail(Exception error) => Done.TrySetException(error);
    }

    private protected override Task<MultiStreamAppendResult> AppendCoreAsync(PreparedAppend append, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var pending = new PendingAppend(append, new TaskCompletionSource<MultiStreamAppendResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        Enqueue(pending);
        // Once queued, the append runs to its end and the caller learns how it ended: a commit takes milliseconds,
        // and a cancelled wait would leave the caller not knowing whether it committed.
        return pending.Done.Task;
    }

    void Enqueue(PendingWrite pending)
    {
        if (!_queue.Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(SqliteEventStore));
    }

    async Task WriteLoopAsync()
    {
        using var commands = new WriterCommands(_writer);
        var batch = new List<PendingWrite>(_options.MaxAppendsPerCommit);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _options.MaxAppendsPerCommit && _queue.Reader.TryRead(out var pending)) batch.Add(pending);
            try
            {
                WriteBatch(batch, commands);
            }
            catch (Exception e)
            {
                // Never leave a caller waiting forever; nothing of this batch was committed.
                foreach (var p in batch) p.Fail(e);
            }
        }
    }

    /// <summary>
    /// One transaction for the whole batch, one savepoint per write: an append that fails (its expectation, an event
    /// id, or even an error of its own insert), or a snapshot that fails, is rolled back to its savepoint alone and never
    /// affects its neighbours.
    /// Only a failure of the transaction itself fails the batch.
    /// </summary>
    void WriteBatch(List<PendingWrite> batch, WriterCommands commands)
    {
        var outcomes = new (object? Result, Exception? Error)[batch.Count];
        var recordedAt = Time.GetUtcNow();
        try
        {
            Execute(_writer, "begin immediate");
        }
        catch (SqliteException e)
        {
            foreach (var p in batch) p.Fail(SqliteErrors.Unavailable(e, outcomeUnknown: false));
            return;
        }

        var committing = false;
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                commands.Savepoint();
                try
                {
                    outcomes[i] = (batch[i] switch
                    {
                        PendingAppend a => WriteOne(a.Append, commands, recordedAt),
                        PendingSnapshot s => commands.SaveSnapshot(s.Snapshot),
                        _ => throw new InvalidOperationException($"Unknown write {batch[i].GetType().Name}."),
                    }, null);
                    commands.Release();
                }
                catch (Exception e) when (e is not SqliteException || !SqliteErrors.IsUnavailable((SqliteException)e))
                {
                    commands.RollbackToSavepoint();
                    outcomes[i] = (null, e is SqliteException se ? SqliteErrors.Unavailable(se, outcomeUnknown: false) : e);
                }
            }
            committing = true;
            Execute(_writer, "commit");
        }
        catch (SqliteException e)
        {
            try { Execute(_writer, "rollback"); } catch (SqliteException) { /* already rolled back by SQLite */ }
            // A failed COMMIT may still have reached the log (an fsync error after the write): only a retry tells.
            foreach (var p in batch) p.Fail(SqliteErrors.Unavailable(e, outcomeUnknown: committing));
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i].Error is { } error) batch[i].Fail(error);
            else batch[i].Succeed(outcomes[i].Result!);
        }
    }

    MultiStreamAppendResult WriteOne(PreparedAppend append, WriterCommands commands, DateTimeOffset recordedAt)
    {
        var current = new long[append.Streams.Length];
        var ok = true;
        for (var i = 0; i < append.Streams.Length; i++)
        {
            current[i] = commands.LastRevision(append.Streams[i].Stream);
            ok &= append.Streams[i].ExpectedRevision.IsSatisfiedBy(current[i]);
        }
        var stored = commands.StoredEventIds(append.Events);
        if (!ok || stored.Count > 0)
            return AppendConflicts.Resolve(append, stored, current)
                   ?? throw new InvalidOperationException("An append was refused although nothing conflicts: the writer is not alone.");

        var micros = (recordedAt.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        var results = new AppendResult[append.Streams.Length];
        long position = 0;
        foreach (var e in append.Events)
        {
            var revision = current[e.StreamIndex] + e.IndexInStream + 1;
            position = commands.Insert(append.Streams[e.StreamIndex].Stream, revision, e, micros);
            results[e.StreamIndex] = new AppendResult(revision, position);
        }
        return new MultiStreamAppendResult(results, position);
    }

    /// <summary>The writer's prepared statements, reused for every append and snapshot.</summary>
    sealed class WriterCommands : IDisposable
    {
        readonly SqliteCommand _lastRevision, _findId, _insert, _savepoint, _release, _rollbackTo, _saveSnapshot;

        public WriterCommands(SqliteConnection conn)
        {
            _savepoint = Prepare(conn, "savepoint append");
            _release = Prepare(conn, "release append");
            _rollbackTo = Prepare(conn, "rollback to append; release append");
            _lastRevision = Prepare(conn, "select max(revision) from events where stream = $stream", "$stream");
            _findId = Prepare(conn, "select stream, revision, position from events where event_id = $id", "$id");
            _insert = Prepare(conn, """
                insert into events (stream, revision, event_id, type, data, metadata, recorded_at)
                values ($stream, $revision, $id, $type, $data, $metadata, $recorded_at) returning position
                """, "$stream", "$revision", "$id", "$type", "$data", "$metadata", "$recorded_at");
            // Kept only for an event the stream has, and only when newer than the stream's snapshot.
            _saveSnapshot = Prepare(conn, """
                insert into snapshots (stream, revision, position, type, data)
                select $stream, $revision, $position, $type, $data
                where exists (select 1 from events where stream = $stream and revision = $revision and position = $position)
                on conflict (stream) do update set revision = excluded.revision, position = excluded.position, type = excluded.type, data = excluded.data
                where excluded.revision > snapshots.revision
                """, "$stream", "$revision", "$position", "$type", "$data");
        }

        static SqliteCommand Prepare(SqliteConnection conn, string sql, params string[] parameters)
        {
            var cmd = conn.CreateCommand();
            cmd.CommandText = sql;
            foreach (var p in parameters) cmd.Parameters.Add(new SqliteParameter { ParameterName = p });
            return cmd;
        }

        public void Savepoint() => _savepoint.ExecuteNonQuery();
        public void Release() => _release.ExecuteNonQuery();
        public void RollbackToSavepoint() => _rollbackTo.ExecuteNonQuery();

        public long LastRevision(string stream)
        {
            _lastRevision.Parameters[0].Value = stream;
            return _lastRevision.ExecuteScalar() is long revision ? revision : -1;
        }

        public List<StoredEventId> StoredEventIds(PreparedEvent[] events)
        {
            var stored = new List<StoredEventId>();
            foreach (var e in events)
            {
                _findId.Parameters[0].Value = e.EventId;
                using var reader = _findId.ExecuteReader();
                if (reader.Read()) stored.Add(new StoredEventId(e.EventId, reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
            return stored;
        }

        public long Insert(string stream, long revision, PreparedEvent e, long recordedAtMicros)
        {
            var p = _insert.Parameters;
            p[0].Value = stream;
            p[1].Value = revision;
            p[2].Value = e.EventId;
            p[3].Value = e.Type;
            p[4].Value = Encoding.UTF8.GetString(e.Data.Span);
            p[5].Value = Encoding.UTF8.GetString(e.Metadata);
            p[6].Value = recordedAtMicros;
            return (long)_insert.ExecuteScalar()!;
        }

        public bool SaveSnapshot(StreamSnapshot snapshot)
        {
            var p = _saveSnapshot.Parameters;
            p[0].Value = snapshot.Stream;
            p[1].Value = snapshot.Revision;
            p[2].Value = snapshot.Position;
            p[3].Value = snapshot.Type;
            p[4].Value = snapshot.Data;
            return _saveSnapshot.ExecuteNonQuery() > 0;
        }

        public void Dispose()
        {
            _saveSnapshot.Dispose();
            _savepoint.Dispose();
            _release.Dispose();
            _rollbackTo.Dispose();
            _lastRevision.Dispose();
            _findId.Dispose();
            _insert.Dispose();
        }
    }
}
