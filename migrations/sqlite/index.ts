import * as migration_20261201_082448_initial from './20261201_082448_initial';
import * as migration_20261201_084440_catalog from './20261201_084440_catalog';
import * as migration_20261201_090714_orders from './20261201_090714_orders';
import * as migration_20261201_092954_payments from './20261201_092954_payments';
import * as migration_20261201_114134_carts_unlocked from './20261201_114134_carts_unlocked';
import * as migration_20261204_201959_cart_revision from './20261204_201959_cart_revision';
import * as migration_20261204_210751_payments_refunds from './20261204_210751_payments_refunds';
import * as migration_20261205_000427_product_stock_revision from './20261205_000427_product_stock_revision';
import * as migration_20261205_015004_variants from './20261205_015004_variants';
import * as migration_20261205_024738_guests from './20261205_024738_guests';
import * as migration_20261205_030254_addresses_shipping_emails from './20261205_030254_addresses_shipping_emails';
import * as migration_20261205_031618_dashboard_indexes from './20261205_031618_dashboard_indexes';

export const migrations = [
  {
    up: migration_20261201_082448_initial.up,
    down: migration_20261201_082448_initial.down,
    name: '20261201_082448_initial',
  },
  {
    up: migration_20261201_084440_catalog.up,
    down: migration_20261201_084440_catalog.down,
    name: '20261201_084440_catalog',
  },
  {
    up: migration_20261201_090714_orders.up,
    down: migration_20261201_090714_orders.down,
    name: '20261201_090714_orders',
  },
  {
    up: migration_20261201_092954_payments.up,
    down: migration_20261201_092954_payments.down,
    name: '20261201_092954_payments',
  },
  {
    up: migration_20261201_114134_carts_unlocked.up,
    down: migration_20261201_114134_carts_unlocked.down,
    name: '20261201_114134_carts_unlocked',
  },
  {
    up: migration_20261204_201959_cart_revision.up,
    down: migration_20261204_201959_cart_revision.down,
    name: '20261204_201959_cart_revision',
  },
  {
    up: migration_20261204_210751_payments_refunds.up,
    down: migration_20261204_210751_payments_refunds.down,
    name: '20261204_210751_payments_refunds',
  },
  {
    up: migration_20261205_000427_product_stock_revision.up,
    down: migration_20261205_000427_product_stock_revision.down,
    name: '20261205_000427_product_stock_revision',
  },
  {
    up: migration_20261205_015004_variants.up,
    down: migration_20261205_015004_variants.down,
    name: '20261205_015004_variants',
  },
  {
    up: migration_20261205_024738_guests.up,
    down: migration_20261205_024738_guests.down,
    name: '20261205_024738_guests',
  },
  {
    up: migration_20261205_030254_addresses_shipping_emails.up,
    down: migration_20261205_030254_addresses_shipping_emails.down,
    name: '20261205_030254_addresses_shipping_emails',
  },
  {
    up: migration_20261205_031618_dashboard_indexes.up,
    down: migration_20261205_031618_dashboard_indexes.down,
    name: '20261205_031618_dashboard_indexes'
  },
];
