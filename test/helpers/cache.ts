import type { CollectionSlug, Payload } from 'payload'

/**
 * Counts the reads that reach Payload for a collection: the cache is working when a hit adds none.
 * (An observer added to the running config, not a replacement of any of our code.)
 */
export function countReads(payload: Payload, collection: CollectionSlug): { readonly count: number } {
  const counter = { count: 0 }
  const hooks = payload.collections[collection].config.hooks
  hooks.beforeOperation.push(({ args, operation }) => {
    if (operation === 'read') counter.count++
    return args
  })
  return counter
}
