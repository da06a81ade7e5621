import type { CollectionAfterChangeHook, CollectionAfterDeleteHook, Config } from 'payload'

import { catalogCollections } from '../src/catalog/collections'
import { invalidateCatalog } from '../src/cache'

// Every write that runs hooks (REST, GraphQL, the Local API, the admin UI; bulk updates and
// deletes, trash and restore, uploads) invalidates once it has committed: invalidating inside the
// transaction would let a read racing the commit cache the old document again.
const afterChange: CollectionAfterChangeHook = async ({ doc, req }) => {
  await invalidateCatalog(req)
  return doc
}

const afterDelete: CollectionAfterDeleteHook = async ({ doc, req }) => {
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
              afterChange: [...(collection.hooks?.afterChange ?? []), afterChange],
              afterDelete: [...(collection.hooks?.afterDelete ?? []), afterDelete],
            },
          }
        : collection,
    ),
  }
}
