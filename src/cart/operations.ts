import type { PayloadRequest } from 'payload'

import type { Cart, Coupon } from '../../payload-types'
import {
  COUPON_NOT_VALID,
  couponRefusal,
  customerCouponProblem,
  normaliseCode,
} from '../coupons/applicability'
import { normaliseId, refOf } from '../db/ids'
import type { DocId } from '../db/ids'
import { StoreError } from '../errors'
import { priceCart } from './pricing'

type Ref = DocId

export const MAX_QUANTITY = 99

function userOf(req: PayloadRequest): { id: Ref } {
  if (!req.user) throw new StoreError('UNAUTHORIZED', 'Log in to use a cart.')
  return { id: req.user.id }
}

/**
 * The caller's cart with its coupon loaded, created empty when absent (one per customer). Cart
 * documents are read and written for req.user only (the queries say so); what the customer may
 * see of the catalog is always asked with their access (`overrideAccess: false`).
 */
export async function loadCart(req: PayloadRequest): Promise<Cart> {
  const user = userOf(req)
  for (let attempt = 0; attempt < 3; attempt++) {
    // The cart belongs to req.user; coupons are read for them (customers cannot read coupons).
    const found = await req.payload.find({
      collection: 'carts',
      where: { customer: { equals: user.id } },
      depth: 0,
      // One cart per customer (unique): no count query.
      pagination: false,
      req,
    })
    const cart = found.docs[0]
    if (cart) {
      const couponId = refOf(cart.coupon)
      const coupon = couponId
        ? await req.payload.findByID({
            collection: 'coupons',
            id: couponId,
            depth: 0,
            req,
            disableErrors: true,
          })
        : null
      return { ...cart, coupon: coupon ?? null }
    }
    try {
      return await req.payload.create({
        collection: 'carts',
        data: { customer: user.id, items: [] },
        depth: 0,
        req,
      })
    } catch {
      // A concurrent request created it (the customer is unique): read it again.
    }
  }
  throw new Error('cart could not be created')
}

type Item = { product: Ref; quantity: number }

const itemsOf = (cart: Cart): Item[] =>
  (cart.items ?? []).map((item) => ({ product: refOf(item.product) as Ref, quantity: item.quantity }))

async function save(
  req: PayloadRequest,
  cart: Cart,
  data: { items?: Item[]; coupon?: Ref | null },
): Promise<Cart> {
  await req.payload.update({ collection: 'carts', id: cart.id, data, depth: 0, req })
  return loadCart(req)
}

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

export async function addItem(req: PayloadRequest, productRef: Ref, quantity: number): Promise<Cart> {
  const cart = await loadCart(req)
  const product = await purchasable(req, normaliseId(req.payload, productRef) as Ref)
  const items = itemsOf(cart)
  const line = items.find((item) => String(item.product) === String(product.id))
  const wanted = (line?.quantity ?? 0) + quantity
  checkQuantity(wanted, product.stock, product.title, product.id)
  if (line) line.quantity = wanted
  else items.push({ product: product.id, quantity })
  return save(req, cart, { items })
}

export async function setQuantity(req: PayloadRequest, productRef: Ref, quantity: number): Promise<Cart> {
  const cart = await loadCart(req)
  const items = itemsOf(cart)
  const line = items.find((item) => String(item.product) === String(productRef))
  if (!line) throw new StoreError('NOT_FOUND', 'This product is not in the cart.', { product: productRef })
  if (quantity === 0) return save(req, cart, { items: items.filter((item) => item !== line) })
  const product = await purchasable(req, line.product)
  checkQuantity(quantity, product.stock, product.title, product.id)
  line.quantity = quantity
  return save(req, cart, { items })
}

export async function removeItem(req: PayloadRequest, productRef: Ref): Promise<Cart> {
  const cart = await loadCart(req)
  const items = itemsOf(cart)
  const remaining = items.filter((item) => String(item.product) !== String(productRef))
  if (remaining.length === items.length) {
    throw new StoreError('NOT_FOUND', 'This product is not in the cart.', { product: productRef })
  }
  return save(req, cart, { items: remaining })
}

export async function emptyCart(req: PayloadRequest): Promise<Cart> {
  const cart = await loadCart(req)
  return save(req, cart, { items: [], coupon: null })
}

export async function applyCoupon(req: PayloadRequest, code: string): Promise<Cart> {
  const cart = await loadCart(req)
  const found = await req.payload.find({
    collection: 'coupons',
    where: { code: { equals: normaliseCode(code) } },
    limit: 1,
    depth: 0,
  })
  const coupon: Coupon | undefined = found.docs[0]
  const priced = await priceCart(cart, req)
  if (!coupon) throw new StoreError('COUPON_UNAVAILABLE', COUPON_NOT_VALID)
  const problem =
    couponRefusal(coupon, priced.subtotal) ?? (await customerCouponProblem(coupon, userOf(req).id, req))
  if (problem) throw new StoreError('COUPON_UNAVAILABLE', problem)
  return save(req, cart, { coupon: coupon.id })
}

export async function removeCoupon(req: PayloadRequest): Promise<Cart> {
  const cart = await loadCart(req)
  return save(req, cart, { coupon: null })
}
