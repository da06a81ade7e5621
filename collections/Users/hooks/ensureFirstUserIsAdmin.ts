import type { FieldHook } from 'payload'

import type { User } from '../../../payload-types'

type Roles = User['roles']

/**
 * The very first account is the operator's: it is made an admin whatever was sent. Every later
 * account keeps what field access allowed (customers cannot send roles, so they get the default).
 */
export const ensureFirstUserIsAdmin: FieldHook<User, Roles> = async ({ operation, req, value }) => {
  const roles: Roles = value ?? ['customer']
  if (operation !== 'create') return roles
  const { totalDocs } = await req.payload.count({ collection: 'users', req })
  return totalDocs === 0 ? ['admin'] : roles
}
