-- Event store schema. Applied on every start, idempotently, under a migration lock. __schema__ is replaced by the
-- configured schema (quoted). Never edit a shipped migration: add 002_*.sql.

create table if not exists __schema__.events (
    -- Global position: (xid of the writing transaction) << 16 | index of the event in that transaction.
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
-- Returns status 0 (written) with the position of the first event, or 1 (not written: an expectation failed or an
-- event id exists) for the caller to resolve; current_revisions are each stream's last revision before the call.
create or replace function __schema__.append_events(
    p_streams      text[],
    p_expected     bigint[],
    p_event_stream int[],
    p_event_offset int[],
    p_ids          uuid[],
    p_types        text[],
    p_data         json[],
    p_metadata     json[],
    p_recorded_at  timestamptz)
returns table (status int, first_position bigint, current_revisions bigint[])
language plpgsql volatile as $fn$
declare
    n       int := cardinality(p_streams);
    cur     bigint[] := array_fill(-1::bigint, array[n]);
    ok      boolean := true;
    k       int;
    i       int;
    r       bigint;
    xid     bigint;
    base    bigint;
begin
    -- Per-stream advisory locks serialise writers of a stream until commit. They are taken in one order (no
    -- deadlocks) and before this transaction writes anything: its xid, assigned below, is therefore newer than the
    -- xid of every earlier writer of these streams, so positions follow each stream's revisions.
    for k in select distinct hashtext(s) from unnest(p_streams) s order by 1 loop
        perform pg_advisory_xact_lock(__lock_class__, k);
    end loop;

    for i in 1 .. n loop
        select max(e.revision) into r from __schema__.events e where e.stream = p_streams[i];
        cur[i] := coalesce(r, -1);
        if not (p_expected[i] = -2 or (p_expected[i] = -3 and cur[i] >= 0) or cur[i] = p_expected[i]) then
            ok := false;
        end if;
    end loop;

    if ok and exists (select 1 from __schema__.events e where e.event_id = any(p_ids)) then
        ok := false;
    end if;
    if not ok then
        return query select 1, null::bigint, cur;
        return;
    end if;

    xid := pg_current_xact_id()::text::bigint;
    if xid >= (1::bigint << 47) then
        raise exception 'transaction id % is beyond the range the event position encoding supports', xid;
    end if;
    base := xid << 16;
    -- A transaction may append more than once (tests hold one open); continue after its own events.
    select coalesce(max(e.position) + 1, base) into base
      from __schema__.events e where e.position >= base and e.position < base + 65536;
    if base + cardinality(p_ids) > (xid << 16) + 65536 then
        raise exception 'more than 65536 events in one transaction';
    end if;

    insert into __schema__.events (position, stream, revision, event_id, type, data, metadata, recorded_at)
    select base + u.ord - 1, p_streams[u.si], cur[u.si] + u.off, u.id, u.t, u.d, u.m, p_recorded_at
      from unnest(p_event_stream, p_event_offset, p_ids, p_types, p_data, p_metadata)
           with ordinality as u(si, off, id, t, d, m, ord);

    return query select 0, base, cur;
end
$fn$;
