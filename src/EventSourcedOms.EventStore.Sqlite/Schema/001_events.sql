-- Event store schema, applied on every open (idempotent). Never edit a shipped migration: add 002_*.sql.
create table if not exists events (
    -- rowid alias: one writer at a time assigns positions in commit order, so $all has no gaps to skip.
    position    integer not null primary key,
    stream      text    not null,
    revision    integer not null,
    event_id    blob    not null,
    type        text    not null,
    data        text    not null,
    metadata    text    not null,
    recorded_at integer not null, -- microseconds since the Unix epoch, UTC
    unique (stream, revision),
    unique (event_id)
);
