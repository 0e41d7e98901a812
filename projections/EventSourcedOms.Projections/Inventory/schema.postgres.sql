-- Stock per SKU per location, and backordered demand per SKU (network totals are sums over inventory_levels).
create table if not exists inventory_levels (
  sku              text not null,
  location         text not null,
  on_hand          integer not null,
  reserved         integer not null,
  safety_stock     integer not null,
  available        integer not null,
  last_movement_at timestamptz,
  last_position    bigint not null,
  last_revision    bigint not null,  -- the stock stream's revision the row is at
  primary key (sku, location)
);
create index if not exists inventory_levels_location on inventory_levels (location, sku);
create index if not exists inventory_levels_unavailable on inventory_levels (sku, location) where available = 0;
create index if not exists inventory_levels_below_buffer on inventory_levels (sku, location) where available < safety_stock;
create table if not exists inventory_backorders (
  sku               text primary key,
  backordered_units integer not null,
  waiting_lines     integer not null,
  last_position     bigint not null
);
