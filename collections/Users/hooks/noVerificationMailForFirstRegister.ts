import type { CollectionBeforeOperationHook } from 'payload'

/**
 * `POST /api/users/first-register` (the admin UI's first screen) verifies the account it creates
 * right after creating it; the "verify your email" mail that creation would send is for nothing.
 * (`POST /api/users` on an empty database still mails it: that account is not verified.)
 */
export const noVerificationMailForFirstRegister: CollectionBeforeOperationHook = ({
  args,
  operation,
  req,
}) => {
  if (operation !== 'create') return args
  const path = req.url ? new URL(req.url, 'http://store').pathname : ''
  if (!path.endsWith('/users/first-register')) return args
  return { ...args, disableVerificationEmail: true }
}
