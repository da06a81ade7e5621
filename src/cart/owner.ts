import type { PayloadRequest, Where } from 'payload'

import type { DocId } from '../db/ids'
import { StoreError } from '../errors'
import { tokenHashFrom } from '../guests/tokens'

// Whose cart a request means: the logged-in customer's (X-Cart-Token is then ignored), else the
// guest cart whose token the request carries in X-Cart-Token, else nobody (401). This is the only
// place that decides it; every cart operation and checkout go through it.

export type CartOwner = { customer: DocId } | { tokenHash: string }

export function cartOwner(req: PayloadRequest): CartOwner {
  if (req.user) return { customer: req.user.id }
  const tokenHash = tokenHashFrom(req.headers, 'x-cart-token')
  if (tokenHash !== undefined) return { tokenHash }
  throw new StoreError('UNAUTHORIZED', 'Log in, or send the X-Cart-Token of a guest cart, to use a cart.')
}

export const isGuest = (owner: CartOwner): owner is { tokenHash: string } => 'tokenHash' in owner

/** The one cart row of `owner`. */
export const ownerWhere = (owner: CartOwner): Where =>
  isGuest(owner) ? { tokenHash: { equals: owner.tokenHash } } : { customer: { equals: owner.customer } }

export const UNKNOWN_CART_TOKEN = 'No guest cart has this token (it may have expired or been merged).'
