import { randomUUID } from 'node:crypto'

import type { PayloadRequest, Where } from 'payload'

import type { Cart, Coupon } from '../../payload-types'
import { increment, writeIfMatches } from '../db/guardedWrite'
import { refOf } from '../db/ids'
import { StoreError } from '../errors'
import type { CartLine } from './lines'
import { UNKNOWN_CART_TOKEN, cartOwner, isGuest, ownerWhere } from './owner'

// How a cart is read and written. Every write is ONE conditional statement on the cart's row,
// `UPDATE carts SET …, revision = revision + 1 WHERE id = :id AND revision = :read` (MongoDB: one
// findOneAndUpdate with the same filter), so a change computed from a cart that someone else has
// changed since it was read matches nothing and is computed again from the new cart. No change is
// ever written over another, on any number of instances, with or without a transaction.

/** A cart as the operations use it: its coupon loaded (or null). */
export type LoadedCart = Omit<Cart, 'coupon'> & { coupon: Coupon | null }

export type CartChange = { items?: CartLine[]; coupon?: Coupon | null }

/** Tries of one change before answering 409; each lost try means another change was kept. */
const ATTEMPTS = 10

const CART_CHANGED = 'Your cart was changed by another request at the same time; try again.'

/**
 * The caller's cart (src/cart/owner.ts: the customer's, or the guest cart of X-Cart-Token) with
 * its coupon loaded. A customer's is created empty when absent (one per customer); a guest's
 * exists only from POST /api/carts/guest, so an unknown token is a 404. Cart documents are read
 * and written for that owner only (the queries say so).
 */
export async function loadCart(req: PayloadRequest): Promise<LoadedCart> {
  const owner = cartOwner(req)
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await req.payload.find({
      collection: 'carts',
      where: ownerWhere(owner),
      depth: 0,
      // One cart per owner (unique): no count query.
      pagination: false,
      req,
    })
    const cart = found.docs[0]
    if (cart) return withCoupon(req, cart)
    if (isGuest(owner)) throw new StoreError('NOT_FOUND', UNKNOWN_CART_TOKEN)
    const customer = owner.customer
    try {
      const created = await req.payload.create({
        collection: 'carts',
        data: { customer, items: [], revision: 0 },
        depth: 0,
        req,
      })
      return { ...created, coupon: null }
    } catch {
      // A concurrent request created it (the customer is unique): read it again.
    }
  }
  throw new Error('cart could not be created')
}

/** Coupons are read for the customer (who cannot read them through the API). */
async function withCoupon(req: PayloadRequest, cart: Cart, known?: Coupon | null): Promise<LoadedCart> {
  const couponId = refOf(cart.coupon)
  if (couponId === undefined) return { ...cart, coupon: null }
  if (known && String(known.id) === String(couponId)) return { ...cart, coupon: known }
  const coupon = await req.payload.findByID({
    collection: 'coupons',
    id: couponId,
    depth: 0,
    req,
    disableErrors: true,
  })
  return { ...cart, coupon: coupon ?? null }
}

function sameRevision(cart: Pick<Cart, 'revision'>): Where {
  // A MongoDB cart written before revisions existed has none; SQL rows got 0 in the migration.
  if (typeof cart.revision !== 'number') {
    return { or: [{ revision: { exists: false } }, { revision: { equals: null } }] }
  }
  return { revision: { equals: cart.revision } }
}

/**
 * Writes `change` over `cart` if the cart is still as it was read: the cart as written, or null
 * when another write came first (then nothing was written). Inside a transaction (checkout) the
 * statement is part of it and, on PostgreSQL, holds the row until commit: a concurrent write of
 * the same cart waits, then finds the revision moved on and matches nothing.
 */
export async function writeCart(
  req: PayloadRequest,
  cart: LoadedCart,
  change: CartChange,
): Promise<LoadedCart | null> {
  const written = await writeIfMatches(req.payload, {
    collection: 'carts',
    where: { and: [{ id: { equals: cart.id } }, sameRevision(cart)] },
    data: {
      ...(change.items !== undefined && { items: change.items }),
      ...(change.coupon !== undefined && { coupon: change.coupon?.id ?? null }),
      revision: increment(1),
      updatedAt: new Date().toISOString(),
    },
    req,
  })
  if (!written) return null
  const coupon = change.coupon !== undefined ? change.coupon : cart.coupon
  return withCoupon(req, written as unknown as Cart, coupon)
}

/**
 * Takes a guest cart away from its token, if it is still the revision that was read: emptied and
 * its token hash replaced by one no token hashes to, in ONE guarded statement, so of concurrent
 * claims (merges, the expiry sweep) exactly one matches, and a change computed from the cart as
 * read afterwards matches nothing. The row itself, now unreachable, is deleted by the claimant.
 */
export async function claimGuestCart(
  req: PayloadRequest,
  cart: Pick<Cart, 'id' | 'revision'>,
  extra: Where[] = [],
): Promise<boolean> {
  const written = await writeIfMatches(req.payload, {
    collection: 'carts',
    where: { and: [{ id: { equals: cart.id } }, sameRevision(cart), ...extra] },
    data: {
      items: [],
      coupon: null,
      tokenHash: `claimed:${randomUUID()}`,
      revision: increment(1),
      updatedAt: new Date().toISOString(),
    },
    req,
  })
  return written !== null
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Reads the caller's cart, computes `change` from it (which may refuse with a 4xx), and writes it
 * only if the cart has not changed since; otherwise computes it again from the new cart, at most
 * ATTEMPTS times, then 409. So every answered change is in the cart, and none is written over.
 */
export async function changeCart(
  req: PayloadRequest,
  change: (cart: LoadedCart) => CartChange | Promise<CartChange>,
): Promise<LoadedCart> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const cart = await loadCart(req)
    const written = await writeCart(req, cart, await change(cart))
    if (written) return written
    // Requests that lost together would collide again at once: spread their next tries.
    await pause(Math.random() * 4 * attempt)
  }
  throw new StoreError('CONFLICT', CART_CHANGED)
}
