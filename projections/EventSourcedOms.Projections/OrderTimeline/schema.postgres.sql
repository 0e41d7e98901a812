-- Every event of an order as a human-readable entry, for support staff and customer communication.
create table if not exists order_timeline (
  order_id       text not null,
  revision       bigint not null,
  position       bigint not null,
  event_type     text not null,
  summary        text not null,
  occurred_at    timestamptz not null,
  recorded_at    timestamptz not null,
  actor          text,
  correlation_id text,
  primary key (order_id, revision)
);
