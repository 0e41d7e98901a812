-- One row per projection: where it is in $all, and the error that stopped it (a poison event), if any.
create table if not exists projection_checkpoints (
  name           text primary key,
  position       bigint not null,
  updated_at     timestamptz not null,
  last_event_at  timestamptz,
  error          text,
  error_position bigint
);
