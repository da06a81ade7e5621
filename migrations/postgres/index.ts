import * as migration_20261201_082503_initial from './20261201_082503_initial';
import * as migration_20261201_084452_catalog from './20261201_084452_catalog';
import * as migration_20261201_090731_orders from './20261201_090731_orders';
import * as migration_20261201_093016_payments from './20261201_093016_payments';
import * as migration_20261201_114220_carts_unlocked from './20261201_114220_carts_unlocked';
import * as migration_20261204_202046_cart_revision from './20261204_202046_cart_revision';
import * as migration_20261204_210802_payments_refunds from './20261204_210802_payments_refunds';
import * as migration_20261205_000437_product_stock_revision from './20261205_000437_product_stock_revision';
import * as migration_20261205_015042_variants from './20261205_015042_variants';
import * as migration_20261205_024819_guests from './20261205_024819_guests';
import * as migration_20261205_030330_addresses_shipping_emails from './20261205_030330_addresses_shipping_emails';
import * as migration_20261205_031628_dashboard_indexes from './20261205_031628_dashboard_indexes';

export const migrations = [
  {
    up: migration_20261201_082503_initial.up,
    down: migration_20261201_082503_initial.down,
    name: '20261201_082503_initial',
  },
  {
    up: migration_20261201_084452_catalog.up,
    down: migration_20261201_084452_catalog.down,
    name: '20261201_084452_catalog',
  },
  {
    up: migration_20261201_090731_orders.up,
    down: migration_20261201_090731_orders.down,
    name: '20261201_090731_orders',
  },
  {
    up: migration_20261201_093016_payments.up,
    down: migration_20261201_093016_payments.down,
    name: '20261201_093016_payments',
  },
  {
    up: migration_20261201_114220_carts_unlocked.up,
    down: migration_20261201_114220_carts_unlocked.down,
    name: '20261201_114220_carts_unlocked',
  },
  {
    up: migration_20261204_202046_cart_revision.up,
    down: migration_20261204_202046_cart_revision.down,
    name: '20261204_202046_cart_revision',
  },
  {
    up: migration_20261204_210802_payments_refunds.up,
    down: migration_20261204_210802_payments_refunds.down,
    name: '20261204_210802_payments_refunds',
  },
  {
    up: migration_20261205_000437_product_stock_revision.up,
    down: migration_20261205_000437_product_stock_revision.down,
    name: '20261205_000437_product_stock_revision',
  },
  {
    up: migration_20261205_015042_variants.up,
    down: migration_20261205_015042_variants.down,
    name: '20261205_015042_variants',
  },
  {
    up: migration_20261205_024819_guests.up,
    down: migration_20261205_024819_guests.down,
    name: '20261205_024819_guests',
  },
  {
    up: migration_20261205_030330_addresses_shipping_emails.up,
    down: migration_20261205_030330_addresses_shipping_emails.down,
    name: '20261205_030330_addresses_shipping_emails',
  },
  {
    up: migration_20261205_031628_dashboard_indexes.up,
    down: migration_20261205_031628_dashboard_indexes.down,
    name: '20261205_031628_dashboard_indexes'
  },
];
