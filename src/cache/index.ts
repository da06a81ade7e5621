import type { PayloadRequest } from 'payload'

import { afterCommit } from '../db/afterCommit'
import { redis } from '../redis'
import type { StockChange } from './stockOverlay'
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

/**
 * A catalog write: every cached catalog answer, on every instance, is stale once `req`'s
 * transaction commits (before that, a read would fill the cache with the old document again).
 */
export function invalidateCatalog(req: PayloadRequest): Promise<void> {
  return afterCommit(req, () => catalogCache().invalidate('catalog'))
}

/**
 * Stock changed (and nothing else), to what `changes` (the guarded writes' rows) say: once `req`'s
 * transaction commits, every instance's cached product answers show it (before that, the change
 * may yet be rolled back).
 */
export function announceStock(req: PayloadRequest, changes: readonly StockChange[]): Promise<void> {
  if (changes.length === 0) return Promise.resolve()
  return afterCommit(req, () => catalogCache().announceStock(changes))
}

export function resetCatalogCache(): void {
  delete (globalThis as Holder)[KEY]
}
