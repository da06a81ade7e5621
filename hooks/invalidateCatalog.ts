import type { CollectionAfterChangeHook, CollectionAfterDeleteHook } from 'payload'

import { invalidateCatalog } from '../src/cache'

// Any write to the catalog (or an image it shows) makes cached reads stale. The HTTP layer
// invalidates once more after the request commits; see src/http/payloadRoutes.ts.
export const invalidateCatalogAfterChange: CollectionAfterChangeHook = async ({ doc }) => {
  await invalidateCatalog()
  return doc
}

export const invalidateCatalogAfterDelete: CollectionAfterDeleteHook = async ({ doc }) => {
  await invalidateCatalog()
  return doc
}
