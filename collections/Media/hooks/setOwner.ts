import type { CollectionBeforeChangeHook } from 'payload'

import { isAdmin } from '../../../src/access'
import type { Media } from '../../../payload-types'

/** The uploader owns the file; what a customer uploads (an avatar) stays private to them. */
export const setOwner: CollectionBeforeChangeHook<Media> = ({ data, operation, req }) => {
  if (operation !== 'create') return data
  return { ...data, owner: req.user?.id ?? null, private: Boolean(req.user) && !isAdmin(req) }
}
