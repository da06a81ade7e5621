import type { IncomingMessage } from 'node:http'

import { cachedCollections } from '../catalog/collections'
import type { CacheScope } from './store'

/** Catalog reads the cache answers: lists and single documents, never files or other routes. */
const CACHEABLE = new RegExp(`^/api/(${cachedCollections.join('|')})(/[^/]+)?$`)

export function cacheablePath(pathname: string): boolean {
  return CACHEABLE.test(pathname) && !pathname.endsWith('/file')
}

/**
 * Brand and category answers never show a product. Product answers show stock: overlaid when
 * served, unless their query involves it (a filter, a sort, a selection: which products match, or
 * in which order, changes with stock, and no overlay can redo that). Any mention of `stock` in the
 * query counts, which errs on the side of dropping the answer.
 */
export const scopeOf = (pathname: string, key: string): CacheScope => {
  if (!pathname.startsWith('/api/products')) return 'catalog'
  return /stock/i.test(decodeURIComponent(key.slice(pathname.length))) ? 'products' : 'overlaid'
}

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
