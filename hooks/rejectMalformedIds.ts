import { NotFound } from 'payload'
import type { CollectionBeforeOperationHook } from 'payload'

import { isDocumentId } from '../src/db/ids'

// An id the database cannot even parse (`/api/users/abc` on an integer key) would reach the
// SQL adapters as a failing query and answer 500. No document has such an id: 404.
export const rejectMalformedIds: CollectionBeforeOperationHook = ({ args, collection, req }) => {
  const id: unknown = 'id' in args ? args.id : undefined
  if (id === undefined || id === null) return args
  if (collection.flattenedFields.some((field) => field.name === 'id')) return args
  if (!isDocumentId(req.payload, id)) throw new NotFound(req.t)
  return args
}
