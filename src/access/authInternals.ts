import type { CollectionAfterReadHook, FieldAccess, SanitizedConfig } from 'payload'

/**
 * Bookkeeping Payload keeps on every account of an auth collection. None of it is for clients:
 * `sessions` tells whether (and since when) someone is logged in, the rest are secrets or lock
 * state. Never in an answer, never usable in a `where` or `sort`, for anyone, admins included.
 */
export const AUTH_INTERNAL_FIELDS = [
  'hash',
  'salt',
  'sessions',
  'resetPasswordToken',
  'resetPasswordExpiration',
  'resetPasswordRequestedAt',
  '_verificationToken',
  'loginAttempts',
  'lockUntil',
] as const

const INTERNAL = new Set<string>(AUTH_INTERNAL_FIELDS)

/** Whether a query path (`owner.sessions.id`, `-lockUntil`) goes through one of those fields. */
export function namesAuthInternal(path: string): boolean {
  return path
    .replace(/^-/, '')
    .split('.')
    .some((segment) => INTERNAL.has(segment))
}

// Payload's own rule for `sessions` is "the account itself" (`user.id === doc.id`), which an
// anonymous caller also passes when there is no document to compare with: that is how a
// relationship filter on `owner.sessions.id` worked for anyone. Server code reads these fields
// through the Local API (access overridden), which field access does not touch.
const nobodyReads: FieldAccess = () => false

// Field access removes the value, but Payload then answers an unreadable array as `[]` (an
// empty `sessions` would still say "this field exists and is empty"): the key goes as well.
const dropInternals: CollectionAfterReadHook = ({ doc, overrideAccess }) => {
  if (overrideAccess === true || !doc || typeof doc !== 'object') return doc
  for (const name of AUTH_INTERNAL_FIELDS) delete (doc as Record<string, unknown>)[name]
  return doc
}

/**
 * Field-level read access `false` on the auth internals of every auth collection, and an afterRead
 * hook that removes their keys from every read made for a client.
 */
export function hideAuthInternals(config: SanitizedConfig): SanitizedConfig {
  for (const collection of config.collections) {
    if (!collection.auth) continue
    for (const field of [...collection.fields, ...collection.flattenedFields]) {
      if ('name' in field && INTERNAL.has(field.name) && field.type !== 'ui')
        field.access = { ...field.access, read: nobodyReads }
    }
    collection.hooks.afterRead = [...(collection.hooks.afterRead ?? []), dropInternals]
  }
  return config
}
