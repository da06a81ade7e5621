import type { IncomingMessage } from 'node:http'

import { cachedCollections } from '../catalog/collections'
import type { CacheScope } from './store'

/** Catalog reads the cache answers: lists and single documents, never files or other routes. */
const CACHEABLE = new RegExp(`^/api/(${cachedCollections.join('|')})(/[^/]+)?$`)

export function cacheablePath(pathname: string): boolean {
  return CACHEABLE.test(pathname) && !pathname.endsWith('/file')
}

/** Product answers show stock; brand and category answers never show a product. */
export const scopeOf = (pathname: string): CacheScope =>
  pathname.startsWith('/api/products') ? 'products' : 'catalog'

/**
 * The request's URL with its query parameters in a canonical order, so `?a=1&b=2` and
 * `?b=2&a=1` share an entry. Repeated keys keep their relative order (it can matter to qs).
 */
export function normalisedUrl(req: IncomingMessage): { pathname: string; key: string } {
  const url = new URL(req.url ?? '/', 'http://cache.local')
  const params = [...url.searchParams.entries()]
  params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const query = new URLSearchParams(params).toString()
  return { pathname: url.pathname, key: query ? `${url.pathname}?${query}` : url.pathname }
}
