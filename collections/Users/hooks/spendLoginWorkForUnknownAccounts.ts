import type { CollectionBeforeOperationHook } from 'payload'

import { spendPasswordCheck } from '../password'
import { normalizeEmail } from './requireCurrentPassword'

// Payload answers a login for an unknown address (or a locked account) before hashing the
// password, a password check sooner than for a real account: the difference (the PBKDF2 of
// ~600,000 rounds) tells which addresses have accounts. Those logins do the same work first.
export const spendLoginWorkForUnknownAccounts: CollectionBeforeOperationHook = async ({
  args,
  collection,
  operation,
  req,
}) => {
  if (operation !== 'login') return args
  const data: unknown = 'data' in args ? args.data : undefined
  const { email, password } = (data && typeof data === 'object' ? data : {}) as {
    email?: unknown
    password?: unknown
  }
  if (typeof email !== 'string' || typeof password !== 'string' || email === '' || password === '')
    return args
  const account = await req.payload.db.findOne<{ id: number | string; lockUntil?: string | null }>({
    collection: collection.slug,
    where: { email: { equals: normalizeEmail(email) } },
    req,
  })
  const locked = Boolean(account?.lockUntil && new Date(account.lockUntil).getTime() > Date.now())
  if (!account || locked) await spendPasswordCheck(password)
  return args
}
