import { isValidID, NotFound } from 'payload'
import type { CollectionBeforeOperationHook } from 'payload'

// An id the database cannot even parse (`/api/users/abc` on an integer key) would reach the
// SQL adapters as a failing query and answer 500. No document has such an id: 404.
export const rejectMalformedIds: CollectionBeforeOperationHook = ({ args, collection, req }) => {
  const id: unknown = 'id' in args ? args.id : undefined
  if (id === undefined || id === null) return args
  if (collection.flattenedFields.some((field) => field.name === 'id')) return args
  const valid =
    req.payload.db.defaultIDType === 'number'
      ? (typeof id === 'number' && Number.isSafeInteger(id)) ||
        (typeof id === 'string' && /^\d{1,15}$/.test(id))
      : (typeof id === 'string' || typeof id === 'number') && isValidID(String(id), 'ObjectID')
  if (!valid) throw new NotFound(req.t)
  return args
}
