-- Work waiting per order and location: units to pick, to pack, to ship. A row disappears when its work is done.
create table if not exists fulfilment_queue (
  order_id         text not null,
  location         text not null,
  to_pick          integer not null,
  to_pack          integer not null,
  to_ship          integer not null,
  waiting_since    text not null,
  promised_ship_by text,
  on_hold          integer not null,
  last_position    integer not null,
  primary key (order_id, location)
);
create index if not exists fulfilment_queue_location on fulfilment_queue (location, waiting_since);
create index if not exists fulfilment_queue_promised on fulfilment_queue (promised_ship_by);
