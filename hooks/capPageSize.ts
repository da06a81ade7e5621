import type { CollectionBeforeOperationHook } from 'payload'

/** Most documents one REST or GraphQL list answer holds (the admin UI's largest page is 100). */
export const MAX_PAGE_SIZE = 100

/**
 * `limit` above the cap, and `limit=0` or `pagination=false` (Payload's "everything"), become one
 * page of MAX_PAGE_SIZE: the answer's `limit`, `totalDocs` and `hasNextPage` tell the client to
 * page on (findDistinct's values likewise). Only finds that come straight from a REST or GraphQL
 * request are capped: those are the only ones that leave `overrideAccess` unset (the Local API
 * always sets it), so the store's own lookups, which may need every match, are untouched.
 */
export const capPageSize: CollectionBeforeOperationHook = ({ args, operation, req }) => {
  if (operation !== 'read' && operation !== 'readDistinct') return args
  if (req.payloadAPI === 'local' || args.overrideAccess !== undefined) return args
  if (!('limit' in args)) return args // findByID
  const limit: unknown = args.limit
  // Negative (SQLite reads LIMIT -1 as "no limit"), fractional and NaN limits included.
  const outOfRange =
    typeof limit === 'number' && !(Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE_SIZE)
  if (operation === 'readDistinct') {
    // findDistinct without a limit returns every distinct value.
    return limit === undefined || outOfRange ? { ...args, limit: MAX_PAGE_SIZE } : args
  }
  if (!outOfRange && !('pagination' in args && args.pagination === false)) return args
  return { ...args, limit: MAX_PAGE_SIZE, pagination: true }
}
