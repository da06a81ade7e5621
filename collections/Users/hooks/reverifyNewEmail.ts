import crypto from 'node:crypto'

import type { CollectionAfterChangeHook, CollectionBeforeChangeHook } from 'payload'

import type { User } from '../../../payload-types'
import { isAdmin } from '../../../src/access'
import { afterCommit } from '../../../src/db/afterCommit'
import { emailChangedNotice, verifyEmail } from '../emails'
import { credentialChanges } from './requireCurrentPassword'

type EmailChange = { from: string; token: string }
const KEY = 'users.emailChanges'

const changesOf = (context: Record<string, unknown>): Map<string, EmailChange> => {
  const found = context[KEY]
  if (found instanceof Map) return found as Map<string, EmailChange>
  const created = new Map<string, EmailChange>()
  context[KEY] = created
  return created
}

/**
 * A new address is unproved: the account is unverified again (no login, no session works) until
 * the link sent to the new address is followed, whoever made the change. Only an admin sending
 * `_verified` in the same request vouches for the address instead.
 */
export const reverifyNewEmail: CollectionBeforeChangeHook<User> = ({
  context,
  data,
  operation,
  originalDoc,
  req,
}) => {
  if (operation !== 'update' || !originalDoc || !credentialChanges(data, originalDoc).email) return data
  if (isAdmin(req) && typeof data._verified === 'boolean') return data
  const token = crypto.randomBytes(20).toString('hex')
  changesOf(context).set(String(originalDoc.id), { from: originalDoc.email, token })
  return { ...data, _verified: false, _verificationToken: token }
}

/** Once the change is committed: the verification link to the new address, a notice to the old. */
export const announceEmailChange: CollectionAfterChangeHook<User> = async ({
  context,
  doc,
  operation,
  req,
}) => {
  if (operation !== 'update') return doc
  const change = changesOf(context).get(String(doc.id))
  if (!change) return doc
  changesOf(context).delete(String(doc.id))
  await afterCommit(req, async () => {
    await req.payload.sendEmail({
      to: doc.email,
      subject: verifyEmail.generateEmailSubject(),
      html: verifyEmail.generateEmailHTML({ token: change.token }),
    })
    await req.payload.sendEmail({
      to: change.from,
      subject: emailChangedNotice.generateEmailSubject(),
      html: emailChangedNotice.generateEmailHTML({ to: doc.email }),
    })
  })
  return doc
}
