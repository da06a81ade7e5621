import type { PayloadRequest } from 'payload'

import type { Coupon } from '../../payload-types'
import { normaliseCode } from '../coupons/codes'
import { COUPON_NOT_VALID } from '../coupons/messages'
import { couponRefusal } from '../coupons/rules'
import { customerCouponProblem, customerHolder } from '../coupons/usage'
import { normaliseId } from '../db/ids'
import type { DocId } from '../db/ids'
import { StoreError } from '../errors'
import { MAX_LINES, MAX_QUANTITY, linesOf, sameProduct } from './lines'
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

/** What the customer may buy of a product right now, or a 404 when they may not see it at all. */
async function purchasable(
  req: PayloadRequest,
  product: Ref,
): Promise<{ id: Ref; stock: number; title: string }> {
  const found = await req.payload.find({
    collection: 'products',
    where: { id: { equals: product } },
    overrideAccess: false,
    req,
    depth: 0,
    limit: 1,
    select: { stock: true, title: true },
  })
  const doc = found.docs[0]
  if (!doc) throw new StoreError('NOT_FOUND', 'No such product.', { product })
  return { id: doc.id, stock: doc.stock, title: doc.title }
}

function checkQuantity(quantity: number, stock: number, title: string, product: Ref): void {
  if (quantity > MAX_QUANTITY) {
    throw new StoreError('BAD_REQUEST', `At most ${MAX_QUANTITY} of one product per order.`, { product })
  }
  if (quantity > stock) {
    throw new StoreError(
      'INSUFFICIENT_STOCK',
      stock === 0 ? `${title} is out of stock.` : `Only ${stock} of ${title} left.`,
      {
        product,
        available: stock,
      },
    )
  }
}

function lineFor(cart: LoadedCart, product: Ref): { lines: CartLine[]; line: CartLine } {
  const lines = linesOf(cart)
  const line = lines.find((each) => sameProduct(each.product, product))
  if (!line) throw new StoreError('NOT_FOUND', 'This product is not in the cart.', { product })
  return { lines, line }
}

export async function addItem(req: PayloadRequest, productRef: Ref, quantity: number): Promise<LoadedCart> {
  const product = await purchasable(req, normaliseId(req.payload, productRef) as Ref)
  return changeCart(req, (cart) => {
    const lines = linesOf(cart)
    const line = lines.find((each) => sameProduct(each.product, product.id))
    const wanted = (line?.quantity ?? 0) + quantity
    checkQuantity(wanted, product.stock, product.title, product.id)
    if (!line && lines.length >= MAX_LINES) {
      throw new StoreError('BAD_REQUEST', `At most ${MAX_LINES} different products in one cart.`)
    }
    return {
      items: line
        ? lines.map((each) => (each === line ? { ...each, quantity: wanted } : each))
        : [...lines, { product: product.id, quantity }],
    }
  })
}

export async function setQuantity(
  req: PayloadRequest,
  productRef: Ref,
  quantity: number,
): Promise<LoadedCart> {
  let product: Awaited<ReturnType<typeof purchasable>> | undefined
  return changeCart(req, async (cart) => {
    const { lines, line } = lineFor(cart, productRef)
    if (quantity === 0) return { items: lines.filter((each) => each !== line) }
    product ??= await purchasable(req, line.product)
    checkQuantity(quantity, product.stock, product.title, product.id)
    return { items: lines.map((each) => (each === line ? { ...each, quantity } : each)) }
  })
}

export async function removeItem(req: PayloadRequest, productRef: Ref): Promise<LoadedCart> {
  return changeCart(req, (cart) => {
    const { lines, line } = lineFor(cart, productRef)
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
      const added = now.find((each) => sameProduct(each.product, line.product))
      return added ? { ...line, quantity: Math.min(MAX_QUANTITY, line.quantity + added.quantity) } : line
    })
    const others = now.filter((each) => !taken.some((line) => sameProduct(line.product, each.product)))
    return { items: [...merged, ...others], ...(cart.coupon === null && coupon && { coupon }) }
  })
}
