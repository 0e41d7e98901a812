-- Event store schema. Applied on every start, idempotently, under a migration lock. __schema__ is replaced by the
-- configured schema (quoted). Never edit a shipped migration: add 002_*.sql.

-- Positions are derived from transaction ids, which are per cluster: after a restore into another cluster (dump,
-- logical replication) xids restart lower than the stored positions. The store then raises this offset at start-up
-- so that new positions stay above every stored one.
create table if not exists __schema__.position_offset (
    singleton boolean primary key default true check (singleton),
    xid_offset bigint not null
);
insert into __schema__.position_offset (xid_offset) values (0) on conflict (singleton) do nothing;
analyze __schema__.position_offset;

create table if not exists __schema__.events (
    -- Global position: (xid of the writing transaction + xid_offset) << 16 | index of the event in that transaction.
    -- Ordering by position therefore orders by transaction age, which makes the $all feed gap-safe (see read_all).
    position    bigint      not null primary key,
    stream      text        not null,
    revision    bigint      not null,
    event_id    uuid        not null,
    type        text        not null,
    data        json        not null,
    metadata    json        not null,
    recorded_at timestamptz not null,
    constraint events_stream_revision_key unique (stream, revision),
    constraint events_event_id_key unique (event_id)
);

-- One call, one round trip, one transaction: lock the streams, check every expectation, insert all or nothing.
-- p_expected per stream: exact revision >= 0, -1 no stream, -2 any, -3 stream exists.
-- Returns status 0 (written) with the position of the first event, or 1 (not written: an expectation failed) for the
-- caller to resolve; current_revisions are each stream's last revision before the call. An event id that is already
-- stored fails the insert with a unique violation (events_event_id_key), which the caller resolves the same way.
create or replace function __schema__.append_events(
    p_streams      text[],
    p_expected     bigint[],
    p_event_stream int[],
    p_event_offset int[],
    p_ids          uuid[],
    p_types        text[],
    p_data         json[],
    p_metadata     json[],
    p_recorded_at  timestamptz,
    out status            int,
    out first_position    bigint,
    out current_revisions bigint[])
language plpgsql volatile as $fn$
declare
    n    int := cardinality(p_streams);
    k    int;
    i    int;
    r    bigint;
    base bigint;
begin
    -- Positions follow transaction age only if this transaction gets its xid below, after the stream locks. A
    -- transaction that already wrote something (an outbox or dedup row, another append) must append first.
    if pg_current_xact_id_if_assigned() is not null then
        raise exception 'append_events must be the first write of its transaction' using errcode = '25000';
    end if;

    -- Per-stream advisory locks serialise writers of a stream until commit. They are taken in one order (no
    -- deadlocks) and before this transaction writes anything: its xid, assigned below, is therefore newer than the
    -- xid of every earlier writer of these streams, so positions follow each stream's revisions.
    if n = 1 then
        perform pg_advisory_xact_lock(__lock_class__, hashtext(p_streams[1]));
    else
        for k in select distinct hashtext(s) from unnest(p_streams) s order by 1 loop
            perform pg_advisory_xact_lock(__lock_class__, k);
        end loop;
    end if;

    status := 0;
    current_revisions := array_fill(-1::bigint, array[n]);
    for i in 1 .. n loop
        select max(e.revision) into r from __schema__.events e where e.stream = p_streams[i];
        if r is not null then
            current_revisions[i] := r;
        end if;
        if not (p_expected[i] = -2 or (p_expected[i] = -3 and r is not null) or coalesce(r, -1) = p_expected[i]) then
            status := 1;
        end if;
    end loop;
    if status = 1 then
        return;
    end if;

    select pg_current_xact_id()::text::bigint + o.xid_offset into base from __schema__.position_offset o;
    if base >= (1::bigint << 47) then
        raise exception 'transaction id % is beyond the range the event position encoding supports', base;
    end if;
    first_position := base << 16;

    insert into __schema__.events (position, stream, revision, event_id, type, data, metadata, recorded_at)
    select first_position + u.ord - 1, p_streams[u.si], current_revisions[u.si] + u.off, u.id, u.t, u.d, u.m, p_recorded_at
      from unnest(p_event_stream, p_event_offset, p_ids, p_types, p_data, p_metadata)
           with ordinality as u(si, off, id, t, d, m, ord);
end
$fn$;

-- Run at every start-up (see position_offset): if stored positions are ahead of this cluster's transaction ids,
-- move the offset so that the next transaction's positions are above all of them.
update __schema__.position_offset o
   set xid_offset = o.xid_offset + ((select max(position) from __schema__.events) >> 16)
                    - (pg_current_xact_id()::text::bigint + o.xid_offset) + 1
 where (select max(position) from __schema__.events) >> 16 >= pg_current_xact_id()::text::bigint + o.xid_offset;
