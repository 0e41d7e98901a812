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
-- A partial index in the list's own order: the "on hold" filter reads only matching rows.
create index if not exists order_summary_held on order_summary (placed_at desc, order_id desc) where hold_reason is not null;
-- Unshipped orders newest first served the breached list before it was sorted most overdue first (the index below):
-- no query reads it any more, and every order paid an entry in it.
drop index if exists order_summary_unshipped;
-- The ship-by-breached list, most overdue first: a range of this index from the oldest promise up to now.
create index if not exists order_summary_overdue on order_summary (promised_ship_by, order_id) where shipped_at is null;
-- The KPIs read their own counters (kpi_*), not order_summary by day.
drop index if exists order_summary_day;
create index if not exists order_summary_customer on order_summary (customer_id, placed_at desc, order_id desc);
-- Where each order's stock is reserved: backs the location filter.
create table if not exists order_locations (
  location      text not null,
  order_id      text not null,
  primary key (location, order_id)
);
create index if not exists order_locations_order on order_locations (order_id);
-- The orders of each SKU, newest placement first: the SKU filter reads one range of this key, however few of all
-- orders hold the SKU (driven from order_lines instead, it walked the placement index testing every order for the SKU).
-- Written once, at placement (an order's lines never change SKU); placed_at is the order_summary row's own value.
create table if not exists order_skus (
  sku           text not null,
  placed_at     text not null,
  order_id      text not null,
  primary key (sku, placed_at, order_id)
) without rowid;
-- Pre-aggregated from order_summary by its projector, in the same transaction: orders per status (and on hold).
create table if not exists order_status_counts (
  status   text primary key,
  orders   integer not null,
  on_hold  integer not null
);
-- KPI counters (Kpis/KpiCounters.cs) per placement day (UTC), channel and currency: the sums the KPIs divide.
-- cycle_ticks: the sum of order-to-first-shipment times of the shipped orders, in ticks (100 ns), exact.
create table if not exists kpi_daily (
  day                   text not null,
  channel               text not null,
  currency              text not null,
  orders                integer not null,
  units                 integer not null,
  total_e4              integer not null,
  cancelled             integer not null,
  backordered           integer not null,
  first_allocated_units integer not null,
  shipped               integer not null,
  cycle_ticks           integer not null,
  promised_shipped      integer not null,
  on_time               integer not null,
  primary key (day, channel, currency)
);
-- Shipped orders per whole hour of cycle time, and per exact cycle time: exact percentiles without reading every order.
create table if not exists kpi_cycle_hours (
  day     text not null,
  channel text not null,
  hour    integer not null,
  orders  integer not null,
  primary key (day, channel, hour)
);
create table if not exists kpi_cycle_times (
  day         text not null,
  channel     text not null,
  cycle_ticks integer not null,
  orders      integer not null,
  primary key (day, channel, cycle_ticks)
);
-- p50 and p90 of those cycle times per day and channel (nearest rank, in ticks), recomputed from the two tables above
-- for every day and channel a batch changed: the KPI query reads these rows instead of ranking cycle times per request.
create table if not exists kpi_cycle_percentiles (
  day         text not null,
  channel     text not null,
  p50_ticks   integer not null,
  p90_ticks   integer not null,
  primary key (day, channel)
);
