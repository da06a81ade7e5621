import type { PayloadRequest } from 'payload'

import type { Coupon } from '../../payload-types'
import { normaliseCode } from '../coupons/codes'
import { COUPON_NOT_VALID } from '../coupons/messages'
import { couponRefusal } from '../coupons/rules'
import { customerCouponProblem, customerHolder } from '../coupons/usage'
import { normaliseId } from '../db/ids'
import type { DocId } from '../db/ids'
import { StoreError } from '../errors'
import { optionsOf } from '../catalog/options'
import { MAX_LINES, MAX_QUANTITY, lineId, linesOf, sameLine } from './lines'
import type { CartLine } from './lines'
import { priceCart } from './pricing'
import { changeCart, loadCart } from './storage'
import type { LoadedCart } from './storage'

// The customer's cart operations. Each computes its change from the cart as read and hands it to
// changeCart (src/cart/storage.ts), which writes it only if the cart is still as read and otherwise
// computes it again: what depends on the cart (the line, the quantity it adds up to, the subtotal
// a coupon needs) is decided inside the change; what does not (the product, the coupon) once.

type Ref = DocId

export { MAX_QUANTITY, loadCart }

/** A line's product and variant, as the customer asks for them. */
export type LineRef = { product: Ref; variant?: Ref }

type Purchasable = { product: Ref; variant?: Ref; stock: number; title: string }

const fieldError = (path: string, message: string): StoreError =>
  new StoreError('BAD_REQUEST', message, { errors: [{ path, message }] })

/**
 * What the customer may buy of a product (or of one of its variants) right now, or a 404 when they
 * may not see it at all. A product with options is bought only as a variant, one without never.
 */
async function purchasable(req: PayloadRequest, ref: LineRef): Promise<Purchasable> {
  const found = await req.payload.find({
    collection: 'products',
    where: { id: { equals: ref.product } },
    overrideAccess: false,
    req,
    depth: 0,
    limit: 1,
    select: { stock: true, title: true, options: true },
  })
  const doc = found.docs[0]
  if (!doc) throw new StoreError('NOT_FOUND', 'No such product.', { product: ref.product })
  const hasOptions = optionsOf(doc.options).length > 0
  if (ref.variant === undefined) {
    if (hasOptions)
      throw fieldError('variant', `Choose a variant of ${doc.title}: it is sold in several options.`)
    return { product: doc.id, stock: doc.stock, title: doc.title }
  }
  if (!hasOptions) throw fieldError('variant', `${doc.title} has no variants: leave out variant.`)
  const variants = await req.payload.find({
    collection: 'variants',
    where: { and: [{ id: { equals: ref.variant } }, { product: { equals: doc.id } }] },
    overrideAccess: false,
    req,
    depth: 0,
    limit: 1,
    select: { stock: true, title: true },
  })
  const variant = variants.docs[0]
  if (!variant) {
    throw new StoreError('NOT_FOUND', 'No such variant of this product.', {
      product: ref.product,
      variant: ref.variant,
    })
  }
  return {
    product: doc.id,
    variant: variant.id,
    stock: variant.stock,
    title: `${doc.title} (${variant.title ?? ''})`,
  }
}

function checkQuantity(quantity: number, item: Purchasable): void {
  const ids = { product: item.product, ...(item.variant !== undefined && { variant: item.variant }) }
  if (quantity > MAX_QUANTITY) {
    throw new StoreError('BAD_REQUEST', `At most ${MAX_QUANTITY} of one product per order.`, ids)
  }
  if (quantity > item.stock) {
    throw new StoreError(
      'INSUFFICIENT_STOCK',
      item.stock === 0 ? `${item.title} is out of stock.` : `Only ${item.stock} of ${item.title} left.`,
      { ...ids, available: item.stock },
    )
  }
}

function lineFor(cart: LoadedCart, id: string): { lines: CartLine[]; line: CartLine } {
  const lines = linesOf(cart)
  const line = lines.find((each) => lineId(each) === id)
  if (!line) throw new StoreError('NOT_FOUND', 'This line is not in the cart.', { line: id })
  return { lines, line }
}

export async function addItem(req: PayloadRequest, ref: LineRef, quantity: number): Promise<LoadedCart> {
  const item = await purchasable(req, {
    product: normaliseId(req.payload, ref.product) as Ref,
    ...(ref.variant !== undefined && { variant: normaliseId(req.payload, ref.variant) as Ref }),
  })
  const wanted: Pick<CartLine, 'product' | 'variant'> = {
    product: item.product,
    ...(item.variant !== undefined && { variant: item.variant }),
  }
  return changeCart(req, (cart) => {
    const lines = linesOf(cart)
    const line = lines.find((each) => sameLine(each, wanted))
    const total = (line?.quantity ?? 0) + quantity
    checkQuantity(total, item)
    if (!line && lines.length >= MAX_LINES) {
      throw new StoreError('BAD_REQUEST', `At most ${MAX_LINES} different products in one cart.`)
    }
    return {
      items: line
        ? lines.map((each) => (each === line ? { ...each, quantity: total } : each))
        : [...lines, { ...wanted, quantity }],
    }
  })
}

/** Sets the quantity of the line `id` (the contract's line id); 0 removes it. */
export async function setQuantity(req: PayloadRequest, id: string, quantity: number): Promise<LoadedCart> {
  let item: Purchasable | undefined
  return changeCart(req, async (cart) => {
    const { lines, line } = lineFor(cart, id)
    if (quantity === 0) return { items: lines.filter((each) => each !== line) }
    item ??= await purchasable(req, line)
    checkQuantity(quantity, item)
    return { items: lines.map((each) => (each === line ? { ...each, quantity } : each)) }
  })
}

export async function removeItem(req: PayloadRequest, id: string): Promise<LoadedCart> {
  return changeCart(req, (cart) => {
    const { lines, line } = lineFor(cart, id)
    return { items: lines.filter((each) => each !== line) }
  })
}

export async function emptyCart(req: PayloadRequest): Promise<LoadedCart> {
  return changeCart(req, () => ({ items: [], coupon: null }))
}

export async function applyCoupon(req: PayloadRequest, code: string): Promise<LoadedCart> {
  // A guest names their email only at checkout: their per-customer limit is judged there.
  const holder = req.user ? customerHolder(req.user.id) : null
  const found = await req.payload.find({
    collection: 'coupons',
    where: { code: { equals: normaliseCode(code) } },
    limit: 1,
    depth: 0,
  })
  const coupon: Coupon | undefined = found.docs[0]
  // The per-customer limit does not depend on the cart: asked once, however many tries.
  let customerProblem: Promise<string | null> | undefined
  return changeCart(req, async (cart) => {
    // The minimum subtotal is judged on the very cart the coupon is written to; the cart is priced
    // for an unknown code too, so that its refusal takes as long as an existing code's.
    const priced = await priceCart(cart, req, { images: false })
    if (!coupon) throw new StoreError('COUPON_UNAVAILABLE', COUPON_NOT_VALID)
    const problem =
      couponRefusal(coupon, priced.subtotal) ??
      (holder && (await (customerProblem ??= customerCouponProblem(coupon, holder, req))))
    if (problem) throw new StoreError('COUPON_UNAVAILABLE', problem)
    return { coupon }
  })
}

export async function removeCoupon(req: PayloadRequest): Promise<LoadedCart> {
  return changeCart(req, () => ({ coupon: null }))
}

/**
 * Puts back lines that a checkout took from the cart and then could not turn into an order
 * (without a transaction, SQLite, this is its undo): merged with whatever was added since, and
 * the coupon unless another one was applied meanwhile.
 */
export async function restoreLines(
  req: PayloadRequest,
  taken: CartLine[],
  coupon: Coupon | null,
): Promise<void> {
  await changeCart(req, (cart) => {
    const now = linesOf(cart)
    const merged = taken.map((line) => {
      const added = now.find((each) => sameLine(each, line))
      return added ? { ...line, quantity: Math.min(MAX_QUANTITY, line.quantity + added.quantity) } : line
    })
    const others = now.filter((each) => !taken.some((line) => sameLine(line, each)))
    return { items: [...merged, ...others], ...(cart.coupon === null && coupon && { coupon }) }
  })
}
