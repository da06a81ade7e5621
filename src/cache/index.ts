import { redis } from '../redis'
import { CatalogStore } from './store'

const KEY = Symbol.for('store.catalogCache')
type Holder = { [KEY]?: CatalogStore }

/**
 * The process's catalog cache. Kept on globalThis: the admin UI's bundle and the server share
 * one process, and must share one cache.
 */
export function catalogCache(): CatalogStore {
  const holder = globalThis as Holder
  holder[KEY] ??= new CatalogStore(redis(), redis('subscriber'))
  return holder[KEY]
}

/** Every cached catalog answer, on every instance, is stale from now on. */
export function invalidateCatalog(): Promise<void> {
  return catalogCache().invalidate()
}

export function resetCatalogCache(): void {
  delete (globalThis as Holder)[KEY]
}
