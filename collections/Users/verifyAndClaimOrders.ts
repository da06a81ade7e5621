import { verifyEmailOperation } from 'payload'
import type { CollectionAfterChangeHook, CollectionAfterLoginHook, Endpoint } from 'payload'

import type { User } from '../../payload-types'
import { claimGuestOrders } from '../../src/guests/claimOrders'
import { documented } from '../../src/openapi/describe'
import { Message } from '../../src/openapi/payloadShapes'

// When a customer proves an email address, the guest orders placed with it become theirs
// (src/guests/claimOrders.ts). Payload's own verification writes the user through the adapter,
// without hooks, so its REST route is taken over here (same path, same answer) to claim after it;
// an admin vouching for an address (`_verified` set on create or update) is caught by the hook,
// and any other way of verifying (GraphQL's verifyEmailUser) at the next login, which only a
// verified address allows.

/** POST /api/users/verify/:id — Payload's verification, then the claim. */
export const verifyAndClaimOrders: Endpoint = documented(
  {
    path: '/verify/:id',
    method: 'post',
    handler: async (req) => {
      const token = String(req.routeParams?.id ?? '')
      const found = await req.payload.find({
        collection: 'users',
        where: { _verificationToken: { equals: token } },
        depth: 0,
        limit: 1,
        pagination: false,
        showHiddenFields: true,
      })
      const user = found.docs[0]
      await verifyEmailOperation({ collection: req.payload.collections.users, req, token })
      if (user) await claimGuestOrders(req, user.id, user.email)
      return Response.json({ message: req.t('authentication:accountVerified') }, { status: 200 })
    },
  },
  {
    summary: 'Verify an email address',
    description: "The guest orders placed with this address become the account's.",
    tag: 'Users',
    audience: 'anyone',
    params: { id: 'the token from the verification email' },
    responses: {
      200: { description: 'verified', body: Message },
      429: {
        description: 'too many auth requests from this address (RATE_LIMIT_AUTH_MAX)',
        headers: { 'Retry-After': 'seconds' },
      },
    },
  },
)

/** An address an admin vouches for (`_verified` turned true) claims its guest orders too. */
export const claimOrdersWhenVerified: CollectionAfterChangeHook<User> = async ({ doc, previousDoc, req }) => {
  if (doc._verified && !previousDoc?._verified) await claimGuestOrders(req, doc.id, doc.email)
  return doc
}

/** A login proves a verified address: whatever guest orders it has not claimed yet, it claims. */
export const claimOrdersOnLogin: CollectionAfterLoginHook<User> = async ({ user, req }) => {
  await claimGuestOrders(req, user.id, user.email)
  return user
}
