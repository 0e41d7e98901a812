-- One row per order line with every quantity of its lifecycle.
create table if not exists order_lines (
  order_id       text not null,
  line_no        integer not null,
  sku            text not null,
  ordered        integer not null,
  reserved       integer not null,
  backordered    integer not null,
  picked         integer not null,
  packed         integer not null,
  shipped        integer not null,
  delivered      integer not null,
  cancelled      integer not null,
  unit_price_e4  integer not null,
  last_position  integer not null,
  primary key (order_id, line_no)
);
create index if not exists order_lines_sku on order_lines (sku, order_id, line_no);
