import * as migration_20261201_082503_initial from './20261201_082503_initial';

export const migrations = [
  {
    up: migration_20261201_082503_initial.up,
    down: migration_20261201_082503_initial.down,
    name: '20261201_082503_initial'
  },
];
