import type { Endpoint, PayloadHandler, PayloadRequest } from 'payload'
import { z } from 'zod'

import type { Cart } from '../payload-types'
import {
  MAX_QUANTITY,
  addItem,
  applyCoupon,
  emptyCart,
  loadCart,
  removeCoupon,
  removeItem,
  setQuantity,
} from '../src/cart/operations'
import { lineId } from '../src/cart/lines'
import { createGuestCart } from '../src/cart/guestCarts'
import { mergeGuestCart } from '../src/cart/merge'
import { withCharges } from '../src/cart/charges'
import { presentCart, priceCart } from '../src/cart/pricing'
import { COUNTRY_MESSAGE, countryCode } from '../src/addresses/country'
import { enabledMethods, serves } from '../src/shipping/methods'
import { shippingPrice } from '../src/money'
import { isDocumentId, normaliseId } from '../src/db/ids'
import type { DocId } from '../src/db/ids'
import { StoreError } from '../src/errors'
import { documentId, parseBody, requireUser } from '../src/http/input'

// /api/carts/mine…: thin handlers; the rules live in src/cart.

const quantity = z.number().int().min(1).max(MAX_QUANTITY)
const AddItem = z.strictObject({
  product: documentId,
  variant: documentId.optional(),
  quantity: quantity.default(1),
})
const SetQuantity = z.strictObject({ quantity: z.number().int().min(0).max(MAX_QUANTITY) })
const CouponCode = z.strictObject({ code: z.string().trim().min(1).max(64) })
const Merge = z.strictObject({ cartToken: z.string().min(1).max(200) })

async function answer(req: PayloadRequest, cart: Cart): Promise<Response> {
  return Response.json(presentCart(cart, await priceCart(cart, req)))
}

/**
 * The line id of the path in its canonical form: `<productId>` or `<productId>:<variantId>` (the
 * colon may come URL-encoded); anything else names no line.
 */
function lineParam(req: PayloadRequest): string {
  const raw = req.routeParams?.lineId
  const ids = typeof raw === 'string' ? decodeURIComponent(raw).split(':') : []
  if (ids.length < 1 || ids.length > 2 || !ids.every((id) => isDocumentId(req.payload, id))) {
    throw new StoreError('NOT_FOUND', 'This line is not in the cart.')
  }
  const [product, variant] = ids.map((id) => normaliseId(req.payload, id) as DocId)
  return lineId({ product: product as DocId, ...(variant !== undefined && { variant }) })
}

/** A customer's login or a guest's X-Cart-Token (src/cart/owner.ts decides which cart). */
function requireCartHolder(req: PayloadRequest): void {
  if (!req.headers.has('x-cart-token')) requireUser(req)
}

const handler =
  (run: (req: PayloadRequest) => Promise<Cart>): PayloadHandler =>
  async (req) => {
    requireCartHolder(req)
    return answer(req, await run(req))
  }

/** `?country=XX[&region=YY][&shippingMethod=id]`: the destination a cart answer is priced for. */
function destinationOf(req: PayloadRequest): { country: string; region: string | null } | null {
  const country = req.searchParams.get('country')
  if (country === null) return null
  const code = countryCode(country)
  if (!code) throw new StoreError('BAD_REQUEST', `country ${COUNTRY_MESSAGE}.`)
  return { country: code, region: req.searchParams.get('region')?.trim().slice(0, 100) || null }
}

/** GET /api/carts/mine[?country=XX&region=YY&shippingMethod=id]: with its destination's shipping and tax. */
const readCart: PayloadHandler = async (req) => {
  requireCartHolder(req)
  const destination = destinationOf(req)
  const cart = await loadCart(req)
  const priced = await priceCart(cart, req)
  if (!destination) return Response.json(presentCart(cart, priced))
  const methods = await enabledMethods(req)
  const wanted = req.searchParams.get('shippingMethod')
  const method = methods.find((m) => String(m.id) === wanted && serves(m, destination.country)) ?? null
  const charged = await withCharges(req, priced, {
    destination,
    method,
    shippingUnknown: methods.length > 0 && !method,
  })
  return Response.json({
    ...presentCart(cart, charged),
    shippingMethod: method ? { id: method.id, name: method.name } : null,
  })
}

/** GET /api/carts/mine/shipping-methods?country=XX: the enabled methods serving it, priced for this cart. */
const shippingMethodsFor: PayloadHandler = async (req) => {
  requireCartHolder(req)
  const destination = destinationOf(req)
  if (!destination) throw new StoreError('BAD_REQUEST', `country is required: ${COUNTRY_MESSAGE}.`)
  const priced = await priceCart(await loadCart(req), req, { images: false })
  const afterDiscount = priced.subtotal - priced.discount
  const methods = (await enabledMethods(req)).filter((method) => serves(method, destination.country))
  return Response.json({
    country: destination.country,
    methods: methods.map((method) => ({
      id: method.id,
      name: method.name,
      price: shippingPrice(method, afterDiscount),
      freeAbove: method.freeAbove ?? null,
    })),
  })
}

export const cartEndpoints: Endpoint[] = [
  {
    // No login: a new guest cart and its token (rate limited per IP, src/http/rateLimits.ts).
    path: '/guest',
    method: 'post',
    handler: async (req) => {
      const { cartToken, cart } = await createGuestCart(req)
      return Response.json(
        { cartToken, cart: presentCart(cart, await priceCart(cart, req)) },
        { status: 201 },
      )
    },
  },
  {
    path: '/mine/merge',
    method: 'post',
    handler: async (req) => {
      const user = requireUser(req)
      const { cartToken } = await parseBody(req, Merge)
      return answer(req, await mergeGuestCart(req, user.id, cartToken))
    },
  },
  { path: '/mine', method: 'get', handler: readCart },
  { path: '/mine/shipping-methods', method: 'get', handler: shippingMethodsFor },
  { path: '/mine', method: 'delete', handler: handler(emptyCart) },
  {
    path: '/mine/items',
    method: 'post',
    handler: handler(async (req) => {
      const body = await parseBody(req, AddItem)
      return addItem(
        req,
        {
          product: normaliseId(req.payload, body.product) as DocId,
          ...(body.variant !== undefined && { variant: normaliseId(req.payload, body.variant) as DocId }),
        },
        body.quantity,
      )
    }),
  },
  {
    path: '/mine/items/:lineId',
    method: 'patch',
    handler: handler(async (req) => {
      const body = await parseBody(req, SetQuantity)
      return setQuantity(req, lineParam(req), body.quantity)
    }),
  },
  {
    path: '/mine/items/:lineId',
    method: 'delete',
    handler: handler((req) => removeItem(req, lineParam(req))),
  },
  {
    path: '/mine/coupon',
    method: 'post',
    handler: handler(async (req) => applyCoupon(req, (await parseBody(req, CouponCode)).code)),
  },
  { path: '/mine/coupon', method: 'delete', handler: handler(removeCoupon) },
]
