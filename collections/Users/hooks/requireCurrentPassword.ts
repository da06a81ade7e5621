import { ValidationError } from 'payload'
import type { CollectionBeforeChangeHook } from 'payload'

import type { User } from '../../../payload-types'
import { isAdmin } from '../../../src/access'
import { passwordMatches } from '../password'
import { ClientRefusal } from '../../../src/errors'

export const normalizeEmail = (email: string): string => email.trim().toLowerCase()

/** What an update changes of an account's credentials. */
export function credentialChanges(
  data: Partial<User>,
  original: User,
): { email: boolean; password: boolean } {
  return {
    email: typeof data.email === 'string' && normalizeEmail(data.email) !== normalizeEmail(original.email),
    password: typeof data.password === 'string' && data.password !== '',
  }
}

/**
 * A new email or password must be proved with the current password (`currentPassword`, a virtual
 * field: never stored or answered), checked against the stored hash: a stolen token or an
 * unattended session must not be enough to take the account over. An admin changing someone
 * else's account needs no proof (they can do anything to it anyway); changing their own they
 * do. Server code without a user (seeds, scripts) is not asked.
 */
export const requireCurrentPassword: CollectionBeforeChangeHook<User> = async ({
  data,
  operation,
  originalDoc,
  req,
}) => {
  if (operation !== 'update' || !originalDoc || !req.user) return data
  const changes = credentialChanges(data, originalDoc)
  if (!changes.email && !changes.password) return data
  if (isAdmin(req) && String(req.user.id) !== String(originalDoc.id)) return data
  const current: unknown = (data as { currentPassword?: unknown }).currentPassword
  if (typeof current !== 'string' || current === '') {
    throw new ValidationError({
      collection: 'users',
      errors: [
        {
          message: 'Your current password is needed to change your email or password.',
          path: 'currentPassword',
        },
      ],
    })
  }
  if (!(await passwordMatches(originalDoc, current))) {
    throw new ClientRefusal('The current password is wrong: nothing was changed.', 403, null)
  }
  return data
}
