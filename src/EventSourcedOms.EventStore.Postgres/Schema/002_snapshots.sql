-- The latest snapshot of a stream's folded state (see ISnapshotStore): a cache beside the events, never their truth.
create table if not exists __schema__.snapshots (
    stream      text   not null primary key,
    revision    bigint not null,
    position    bigint not null,
    type        text   not null,
    data        text   not null
);
