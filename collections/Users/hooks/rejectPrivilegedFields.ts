import type { CollectionBeforeOperationHook } from 'payload'

import { isAdmin } from '../../../src/access'
import { ClientRefusal } from '../../../src/errors'

// Payload would silently drop these for a customer; refusing says so, and makes sure no
// adapter or future field change can ever let one through.
const PRIVILEGED = [
  'roles',
  '_verified',
  '_verificationToken',
  'loginAttempts',
  'lockUntil',
  'resetPasswordToken',
  'resetPasswordExpiration',
  'salt',
  'hash',
  'sessions',
] as const

// GraphQL marks `roles` (required, with a default) as a mandatory input, so a GraphQL
// registration must send it: the default role alone grants nothing and is let through.
const isDefaultRole = (data: object): boolean => {
  const roles: unknown = (data as { roles?: unknown }).roles
  return Array.isArray(roles) && roles.length === 1 && roles[0] === 'customer'
}

export const rejectPrivilegedFields: CollectionBeforeOperationHook = ({ args, operation, req }) => {
  if (operation !== 'create' && operation !== 'update') return args
  if (args.overrideAccess === true || isAdmin(req)) return args
  const data: unknown = args.data
  if (!data || typeof data !== 'object') return args
  const sent = PRIVILEGED.filter((field) => field in data && !(field === 'roles' && isDefaultRole(data)))
  if (sent.length > 0) {
    throw new ClientRefusal(`Only an admin may set: ${sent.join(', ')}`, 403, { fields: sent })
  }
  return args
}
