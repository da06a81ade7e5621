import type { Config, PayloadRequest } from 'payload'

import { catalogCollections } from '../src/catalog/collections'
import { invalidateCatalog } from '../src/cache'

// Every write that runs hooks (REST, GraphQL, the Local API, the admin UI; bulk updates and
// deletes, trash and restore, uploads) invalidates once it has committed: invalidating inside the
// transaction would let a read racing the commit cache the old document again. The one catalog
// write that runs no hooks, the guarded stock update (payload.db, src/inventory/stock.ts),
// announces the stock it left itself (announceStock: cached product answers overlay it).
const invalidate = async <T>({ doc, req }: { doc: T; req: PayloadRequest }): Promise<T> => {
  await invalidateCatalog(req)
  return doc
}

/** Adds the invalidation hooks, after their own, to every collection src/catalog/collections.ts lists. */
export const invalidateCatalogOnWrite = (config: Config): Config => {
  const collections = config.collections ?? []
  const missing = catalogCollections.filter((slug) => !collections.some((entry) => entry.slug === slug))
  if (missing.length) throw new Error(`catalog collections missing from the config: ${missing.join(', ')}`)
  return {
    ...config,
    collections: collections.map((collection) =>
      catalogCollections.some((slug) => slug === collection.slug)
        ? {
            ...collection,
            hooks: {
              ...collection.hooks,
              afterChange: [...(collection.hooks?.afterChange ?? []), invalidate],
              afterDelete: [...(collection.hooks?.afterDelete ?? []), invalidate],
            },
          }
        : collection,
    ),
  }
}
