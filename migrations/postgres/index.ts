import * as migration_20261201_082503_initial from './20261201_082503_initial';
import * as migration_20261201_084452_catalog from './20261201_084452_catalog';
import * as migration_20261201_090731_orders from './20261201_090731_orders';

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
    name: '20261201_090731_orders'
  },
];
