import type { PayloadRequest } from 'payload'

import { afterCommit } from '../db/afterCommit'
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

/**
 * A catalog write: every cached catalog answer, on every instance, is stale once `req`'s
 * transaction commits (before that, a read would fill the cache with the old document again).
 */
export function invalidateCatalog(req: PayloadRequest): Promise<void> {
  return afterCommit(req, () => catalogCache().invalidate('catalog'))
}

/**
 * Stock changed (and nothing else): cached product answers, on every instance, are stale once
 * `req`'s transaction commits (before that, a read would fill the cache with the old stock again).
 */
export function invalidateStock(req: PayloadRequest): Promise<void> {
  return afterCommit(req, () => catalogCache().invalidate('products'))
}

export function resetCatalogCache(): void {
  delete (globalThis as Holder)[KEY]
}
