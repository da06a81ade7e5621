import { ValidationError } from 'payload'
import type { CollectionBeforeValidateHook } from 'payload'

import type { Category } from '../../../payload-types'

const MAX_DEPTH = 50

const idOf = (value: Category['parent']): number | string | null | undefined =>
  value && typeof value === 'object' ? value.id : value

/** A category may not be its own ancestor: walk up from the new parent and refuse a loop. */
export const preventCycles: CollectionBeforeValidateHook<Category> = async ({ data, originalDoc, req }) => {
  const self = originalDoc?.id
  let cursor = idOf(data?.parent)
  for (let depth = 0; cursor !== null && cursor !== undefined; depth++) {
    if ((self !== undefined && String(cursor) === String(self)) || depth > MAX_DEPTH) {
      throw new ValidationError({
        collection: 'categories',
        errors: [
          {
            path: 'parent',
            message: 'A category cannot be placed under itself or one of its sub-categories.',
          },
        ],
      })
    }
    const parent = await req.payload
      .findByID({ collection: 'categories', id: cursor, depth: 0, req, trash: true, disableErrors: true })
      .catch(() => null)
    if (!parent) {
      throw new ValidationError({
        collection: 'categories',
        errors: [{ path: 'parent', message: 'The parent category does not exist.' }],
      })
    }
    cursor = idOf(parent.parent)
  }
  return data
}
