-- Work waiting per order and location: units to pick, to pack, to ship. A row disappears when its work is done.
create table if not exists fulfilment_queue (
  order_id         text not null,
  location         text not null,
  to_pick          integer not null,
  to_pack          integer not null,
  to_ship          integer not null,
  waiting_since    timestamptz not null,
  promised_ship_by timestamptz,
  on_hold          integer not null,
  last_position    bigint not null,
  primary key (order_id, location)
);
create index if not exists fulfilment_queue_location on fulfilment_queue (location, waiting_since);
-- Breached and at-risk counts read the rows of the current hour (and of the hour 24 h ahead) per location.
drop index if exists fulfilment_queue_promised;
create index if not exists fulfilment_queue_location_promised on fulfilment_queue (location, promised_ship_by);
-- Pre-aggregated per location, maintained with the rows in the same transaction (the per-location summary reads these).
-- entries: fulfilment_queue rows of the location; orders_to_*: rows with units at that stage; on_hold: rows on hold.
create table if not exists fulfilment_queue_locations (
  location       text primary key,
  entries        bigint not null,
  orders_to_pick bigint not null,
  units_to_pick  bigint not null,
  orders_to_pack bigint not null,
  units_to_pack  bigint not null,
  orders_to_ship bigint not null,
  units_to_ship  bigint not null,
  on_hold        bigint not null
);
-- Rows per location and hour of their promised ship-by date (the start of the hour): breaches are summed by hour.
create table if not exists fulfilment_queue_ship_by (
  location text not null,
  hour     timestamptz not null,
  entries  bigint not null,
  primary key (location, hour)
);
