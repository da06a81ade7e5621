import { createLocalReq } from 'payload'
import type { Payload, PayloadRequest } from 'payload'

import { env } from '../config/env'
import { takeNamedLease } from '../db/lease'
import { newToken } from '../guests/tokens'
import { logger } from '../logger'
import { claimGuestCart } from './storage'
import type { LoadedCart } from './storage'

// Guest carts: made on request (POST /api/carts/guest, rate limited per IP with checkouts), found
// by their token's hash (src/cart/owner.ts), and removed once unchanged for GUEST_CART_TTL_S.

/** A new empty guest cart and its token, which is answered once and stored only as a hash. */
export async function createGuestCart(req: PayloadRequest): Promise<{ cartToken: string; cart: LoadedCart }> {
  const { token, hash } = newToken()
  const created = await req.payload.create({
    collection: 'carts',
    data: { tokenHash: hash, items: [], revision: 0 },
    depth: 0,
    req,
  })
  return { cartToken: token, cart: { ...created, coupon: null } }
}

const LEASE = 'guest-cart-sweep'
/** Rows removed per sweep at most; the next sweep continues. */
const BATCH = 500

export type GuestSweepResult = { removed: number; skipped?: 'lease' }

/**
 * Removes guest carts unchanged for GUEST_CART_TTL_S, on one instance at a time (a lease). Each
 * is first claimed by the guarded write every cart change uses (its revision, and still expired),
 * so a cart changed at that very moment is kept; only then is its row, unreachable by now, deleted.
 */
export async function sweepGuestCarts(payload: Payload, now = Date.now()): Promise<GuestSweepResult> {
  const settings = env()
  if (!(await takeNamedLease(payload, LEASE, now, Math.max(1, settings.GUEST_CART_SWEEP_INTERVAL_S - 1)))) {
    return { removed: 0, skipped: 'lease' }
  }
  const cutoff = new Date(now - settings.GUEST_CART_TTL_S * 1000).toISOString()
  const expired = { updatedAt: { less_than: cutoff } }
  const due = await payload.find({
    collection: 'carts',
    where: { and: [{ customer: { exists: false } }, expired] },
    limit: BATCH,
    depth: 0,
    pagination: false,
    select: { revision: true },
  })
  const req = await createLocalReq({}, payload)
  let removed = 0
  for (const cart of due.docs) {
    if (!(await claimGuestCart(req, cart, [expired]))) continue
    await payload.delete({ collection: 'carts', id: cart.id, depth: 0 })
    removed++
  }
  return { removed }
}

/** Runs the sweep every GUEST_CART_SWEEP_INTERVAL_S on this instance; the lease keeps it single. */
export function startGuestCartSweep(payload: Payload): () => void {
  const timer = setInterval(() => {
    sweepGuestCarts(payload).catch((error: unknown) => logger.warn({ err: error }, 'guest cart sweep failed'))
  }, env().GUEST_CART_SWEEP_INTERVAL_S * 1000)
  timer.unref()
  return () => clearInterval(timer)
}
