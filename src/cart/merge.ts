import { commitTransaction, killTransaction } from 'payload'
import type { PayloadRequest } from 'payload'

import type { Cart, Coupon } from '../../payload-types'
import { couponRefusal } from '../coupons/rules'
import { customerCouponProblem, customerHolder } from '../coupons/usage'
import { refOf } from '../db/ids'
import type { DocId } from '../db/ids'
import { beginTransaction } from '../db/transaction'
import { StoreError } from '../errors'
import { hashToken } from '../guests/tokens'
import { logger } from '../logger'
import { MAX_LINES, MAX_QUANTITY, lineId, linesOf, sameLine } from './lines'
import type { CartLine } from './lines'
import { UNKNOWN_CART_TOKEN } from './owner'
import { priceCart } from './pricing'
import { changeCart, claimGuestCart } from './storage'
import type { LoadedCart } from './storage'

// POST /api/carts/mine/merge: a guest cart's lines and coupon move into the logged-in customer's
// cart, once. The guest cart is first CLAIMED (src/cart/storage.ts claimGuestCart: one guarded
// statement on its revision), so of any number of concurrent merges of one token exactly one
// proceeds and the others find no cart (404); then its lines are added to the customer's cart
// through the one cart write (changeCart). Inside a transaction (PostgreSQL, MongoDB) a failure
// rolls both back; without one (SQLite) the guest cart is given back to its token.

/** What each line allows now, by line id: its stock, or 0 when the customer may not buy it. */
async function stockOf(req: PayloadRequest, lines: CartLine[]): Promise<Map<string, number>> {
  const stock = new Map<string, number>()
  const plain = lines.filter((line) => line.variant === undefined)
  const ofVariants = lines.flatMap((line) => (line.variant === undefined ? [] : [line.variant]))
  if (plain.length > 0) {
    const products = await req.payload.find({
      collection: 'products',
      where: { id: { in: plain.map((line) => line.product) } },
      overrideAccess: false,
      req,
      depth: 0,
      limit: plain.length,
      pagination: false,
      select: { stock: true },
    })
    for (const product of products.docs) stock.set(lineId({ product: product.id }), product.stock)
  }
  if (ofVariants.length > 0) {
    const variants = await req.payload.find({
      collection: 'variants',
      where: { id: { in: ofVariants } },
      overrideAccess: false,
      req,
      depth: 0,
      limit: ofVariants.length,
      pagination: false,
      select: { stock: true, product: true },
    })
    for (const variant of variants.docs) {
      const product = refOf(variant.product)
      if (product !== undefined) stock.set(lineId({ product, variant: variant.id }), variant.stock)
    }
  }
  return stock
}

/**
 * The customer's lines with the guest's added: the same line's quantities add up, capped at
 * stock (never below what the customer already had); a product the customer may not buy, or
 * one more line than a cart holds, is left out.
 */
function mergedLines(mine: CartLine[], guest: CartLine[], stock: Map<string, number>): CartLine[] {
  const lines = [...mine]
  for (const line of guest) {
    const index = lines.findIndex((each) => sameLine(each, line))
    const had = index >= 0 ? (lines[index]?.quantity ?? 0) : 0
    const cap = Math.min(MAX_QUANTITY, stock.get(lineId(line)) ?? 0)
    const quantity = Math.max(had, Math.min(had + line.quantity, cap))
    if (index >= 0) lines[index] = { ...line, quantity }
    else if (quantity > 0 && lines.length < MAX_LINES) lines.push({ ...line, quantity })
  }
  return lines
}

type GuestCart = Pick<Cart, 'id' | 'revision' | 'items' | 'coupon'>

async function findGuestCart(req: PayloadRequest, tokenHash: string): Promise<GuestCart | undefined> {
  const found = await req.payload.find({
    collection: 'carts',
    where: { tokenHash: { equals: tokenHash } },
    depth: 0,
    pagination: false,
    select: { revision: true, items: true, coupon: true },
    req,
  })
  return found.docs[0]
}

async function guestCoupon(req: PayloadRequest, cart: GuestCart): Promise<Coupon | null> {
  const id = refOf(cart.coupon)
  if (id === undefined) return null
  return req.payload.findByID({ collection: 'coupons', id, depth: 0, req, disableErrors: true })
}

/** Merges the guest cart of `cartToken` into the caller's (a customer's) cart; the merged cart. */
export async function mergeGuestCart(
  req: PayloadRequest,
  customer: DocId,
  cartToken: string,
): Promise<LoadedCart> {
  const tokenHash = hashToken(cartToken)
  const { shouldCommit, inTransaction } = await beginTransaction(req)
  let claimed: GuestCart | undefined
  try {
    for (let attempt = 0; !claimed && attempt < 10; attempt++) {
      const guest = await findGuestCart(req, tokenHash)
      if (!guest) throw new StoreError('NOT_FOUND', UNKNOWN_CART_TOKEN)
      // Missed: the guest changed it (read it again) or another merge took it (then it is gone).
      if (await claimGuestCart(req, guest)) claimed = guest
    }
    if (!claimed) throw new StoreError('CONFLICT', 'The guest cart kept changing; try again.')
    const taken = claimed
    const lines = linesOf(taken)
    const stock = lines.length > 0 ? await stockOf(req, lines) : new Map<string, number>()
    const coupon = await guestCoupon(req, taken)
    const holder = customerHolder(customer)
    const merged = await changeCart(req, async (cart) => {
      const items = mergedLines(linesOf(cart), lines, stock)
      if (cart.coupon || !coupon) return { items }
      // The guest's coupon comes along only if the customer could apply it to the merged cart.
      const priced = await priceCart({ ...cart, items, coupon: null }, req, { images: false })
      const refused =
        couponRefusal(coupon, priced.subtotal) ?? (await customerCouponProblem(coupon, holder, req))
      return refused ? { items } : { items, coupon }
    })
    claimed = undefined
    // Unreachable already; should this fail, the sweep removes it (it has no customer).
    await req.payload
      .delete({ collection: 'carts', id: taken.id, depth: 0, req })
      .catch((error: unknown) =>
        logger.warn({ err: error, cart: taken.id }, 'merge: claimed guest cart kept'),
      )
    if (shouldCommit) await commitTransaction(req)
    return merged
  } catch (error) {
    if (inTransaction) await killTransaction(req)
    // Claimed but not merged: without a transaction, the guest cart goes back to its token.
    else if (claimed) await giveBack(req, claimed, tokenHash)
    throw error
  }
}

/** Without a transaction: a claimed guest cart whose merge failed goes back to its token. */
async function giveBack(req: PayloadRequest, cart: GuestCart, tokenHash: string): Promise<void> {
  // Unguarded: once claimed, nobody else can reach the row.
  await req.payload.db
    .updateOne({
      collection: 'carts',
      id: cart.id,
      data: {
        tokenHash,
        items: cart.items,
        coupon: refOf(cart.coupon) ?? null,
        updatedAt: new Date().toISOString(),
      },
      req,
    })
    .catch((error: unknown) =>
      logger.error({ err: error, cart: cart.id }, 'merge: guest cart not given back'),
    )
}
