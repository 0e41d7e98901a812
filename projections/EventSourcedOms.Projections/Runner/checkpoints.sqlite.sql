-- One row per projection: where it is in $all, and the error that stopped it (a poison event), if any.
create table if not exists projection_checkpoints (
  name           text primary key,
  position       integer not null,
  updated_at     text not null,
  last_event_at  text,
  error          text,
  error_position integer
);
