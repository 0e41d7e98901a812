-- One row per order: what operators filter and sort on. Money in units of 1/10,000 of the currency (exact).
create table if not exists order_summary (
  order_id           text primary key,
  status             text not null,
  channel            text not null,
  external_reference text,
  customer_id        text not null,
  ship_to_country    text not null,
  ship_to_region     text,
  locations          text not null,
  line_count         integer not null,
  units              integer not null,
  total_e4           integer not null,
  currency           text not null,
  backordered_units  integer not null,
  placed_at          text not null,
  reserved_at        text,
  shipped_at         text,
  delivered_at       text,
  cancelled_at       text,
  promised_ship_by   text,
  hold_reason        text,
  tracking_numbers   text not null,
  placed_day         text not null,
  ordered_units      integer not null,
  first_allocated_units integer not null,
  backordered_at_placement integer not null,
  last_position      integer not null
);
create index if not exists order_summary_placed on order_summary (placed_at desc, order_id desc);
create index if not exists order_summary_status on order_summary (status, placed_at desc, order_id desc);
create index if not exists order_summary_channel on order_summary (channel, placed_at desc, order_id desc);
-- Partial indexes in the list's own order: the "on hold" and "ship-by breached" filters read only matching rows.
create index if not exists order_summary_held on order_summary (placed_at desc, order_id desc) where hold_reason is not null;
create index if not exists order_summary_unshipped on order_summary (placed_at desc, order_id desc) where shipped_at is null;
create index if not exists order_summary_day on order_summary (placed_day, channel);
create index if not exists order_summary_customer on order_summary (customer_id, placed_at desc, order_id desc);
-- Where each order's stock is reserved: backs the location filter.
create table if not exists order_locations (
  location      text not null,
  order_id      text not null,
  primary key (location, order_id)
);
create index if not exists order_locations_order on order_locations (order_id);
