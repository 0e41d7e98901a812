-- Every event of an order as a human-readable entry, for support staff and customer communication.
create table if not exists order_timeline (
  order_id       text not null,
  revision       integer not null,
  position       integer not null,
  event_type     text not null,
  summary        text not null,
  occurred_at    text not null,
  recorded_at    text not null,
  actor          text,
  correlation_id text,
  primary key (order_id, revision)
);
