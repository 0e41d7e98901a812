-- The latest snapshot of a stream's folded state (see ISnapshotStore): a cache beside the events, never their truth.
create table if not exists snapshots (
    stream      text    not null primary key,
    revision    integer not null,
    position    integer not null,
    type        text    not null,
    data        text    not null
) without rowid;
