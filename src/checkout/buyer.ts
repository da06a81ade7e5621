import type { PayloadRequest } from 'payload'

import { cartOwner, isGuest } from '../cart/owner'
import type { DocId } from '../db/ids'
import { StoreError } from '../errors'
import { normaliseEmail } from '../guests/tokens'

// Who a checkout's order is for: the logged-in customer (their account's email; an `email` they
// send is not used), or a guest holding a cart token, who must name an email. Decided once here.

export type Buyer =
  | { guest: false; customer: DocId; email: string }
  | { guest: true; customer: null; email: string; cartTokenHash: string }

export function buyerOf(req: PayloadRequest, email: string | undefined): Buyer {
  const owner = cartOwner(req)
  if (!isGuest(owner)) {
    return { guest: false, customer: owner.customer, email: normaliseEmail(req.user?.email ?? '') }
  }
  if (email === undefined) {
    throw new StoreError('BAD_REQUEST', 'Invalid request: email is required to check out as a guest.', {
      errors: [{ path: 'email', message: 'is required to check out as a guest' }],
    })
  }
  return { guest: true, customer: null, email: normaliseEmail(email), cartTokenHash: owner.tokenHash }
}
