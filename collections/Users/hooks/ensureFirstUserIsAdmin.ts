import type { FieldHook } from 'payload'

import type { User } from '../../../payload-types'

type Roles = User['roles']

/**
 * The very first account is the operator's: it is made an admin whatever was sent. Every later
 * account keeps what field access allowed (customers cannot send roles, so they get the default).
 */
export const ensureFirstUserIsAdmin: FieldHook<User, Roles> = async ({ operation, req, value }) => {
  if (operation !== 'create') return value
  const { totalDocs } = await req.payload.count({ collection: 'users', req })
  if (totalDocs === 0) return ['admin']
  return value
}
