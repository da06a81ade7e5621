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
import { CartAnswer, presentCart, priceCart } from '../src/cart/pricing'
import { COUNTRY_MESSAGE, countryCode } from '../src/addresses/country'
import { enabledMethods, serves } from '../src/shipping/methods'
import { shippingPrice } from '../src/money'
import { isDocumentId, normaliseId } from '../src/db/ids'
import type { DocId } from '../src/db/ids'
import { StoreError } from '../src/errors'
import { documentId, parseBody, requireUser } from '../src/http/input'
import { documented } from '../src/openapi/describe'
import type { OperationDoc } from '../src/openapi/describe'

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
function lineOf(req: PayloadRequest): string {
  // Payload's router has decoded the parameter already (`%3A` is a colon here).
  const raw = req.routeParams?.lineId
  const ids = typeof raw === 'string' ? raw.split(':') : []
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

const lineParam = {
  lineId: 'the line id: the product id, or `<productId>:<variantId>` (the colon may be URL-encoded)',
}
const cartDoc = (summary: string, more: Partial<OperationDoc> = {}): OperationDoc => ({
  summary,
  tag: 'Cart',
  audience: 'cart',
  ...more,
  responses: {
    200: { description: 'the whole cart, priced from the catalog', body: CartAnswer },
    ...more.responses,
  },
})
const refusals = {
  404: { description: 'no such product or variant (or not in the cart)' },
  409: { description: 'more than the stock, or the cart changed too often at once; `data.code` says which' },
}
const Destination = z.object({
  country: z.string().optional().describe('ISO 3166-1 alpha-2: price shipping and tax for it'),
  region: z.string().optional(),
  shippingMethod: z.string().optional().describe('a shipping method id serving the country'),
})

export const cartEndpoints: Endpoint[] = [
  documented(
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
      summary: 'Start a guest cart',
      description:
        "No login. The token is the cart's only key: send it as `X-Cart-Token` to every cart endpoint and to checkout. Only its hash is stored.",
      tag: 'Cart',
      audience: 'anyone',
      responses: {
        201: {
          description: 'the new cart and its token',
          body: z.object({ cartToken: z.string(), cart: CartAnswer }),
        },
        429: { description: 'too many guest carts from this address' },
      },
    },
  ),
  documented(
    {
      path: '/mine/merge',
      method: 'post',
      handler: async (req) => {
        const user = requireUser(req)
        const { cartToken } = await parseBody(req, Merge)
        return answer(req, await mergeGuestCart(req, user.id, cartToken))
      },
    },
    cartDoc("Merge a guest cart into the customer's cart, once", {
      audience: 'user',
      body: Merge,
      responses: { 404: { description: 'no guest cart has this token (expired, or merged already)' } },
    }),
  ),
  documented(
    { path: '/mine', method: 'get', handler: readCart },
    cartDoc("The caller's cart (created empty when absent), priced for a destination when one is named", {
      description:
        'With `country`: `tax`, `taxLines` and `shipping` for that destination and the method named (the flat fee while no method is enabled, 0 until one is chosen), and `shippingMethod`. Without it, `tax` is 0 and `taxLines` empty.',
      query: Destination,
      responses: {
        200: {
          description: 'the whole cart, priced from the catalog (for the destination, when named)',
          body: CartAnswer.extend({
            shippingMethod: z
              .object({ id: z.union([z.number(), z.string()]), name: z.string() })
              .nullable()
              .optional()
              .describe('with `country`: the method the cart is priced for, when it serves the country'),
          }).meta({ id: 'CartViewForDestination' }),
        },
        400: { description: 'an unknown country code' },
      },
    }),
  ),
  documented(
    { path: '/mine/shipping-methods', method: 'get', handler: shippingMethodsFor },
    {
      summary: 'The shipping methods serving a country, priced for this cart',
      tag: 'Cart',
      audience: 'cart',
      query: z.object({ country: z.string().describe('ISO 3166-1 alpha-2'), region: z.string().optional() }),
      responses: {
        200: {
          description: 'the enabled methods serving the country',
          body: z.object({
            country: z.string(),
            methods: z.array(
              z.object({
                id: z.union([z.number(), z.string()]),
                name: z.string(),
                price: z.number().int(),
                freeAbove: z.number().int().nullable(),
              }),
            ),
          }),
        },
        400: { description: 'country missing or unknown' },
      },
    },
  ),
  documented({ path: '/mine', method: 'delete', handler: handler(emptyCart) }, cartDoc('Empty the cart')),
  documented(
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
    cartDoc('Add a product or one of its variants (the same line: quantities add up)', {
      body: AddItem,
      responses: refusals,
    }),
  ),
  documented(
    {
      path: '/mine/items/:lineId',
      method: 'patch',
      handler: handler(async (req) => {
        const body = await parseBody(req, SetQuantity)
        return setQuantity(req, lineOf(req), body.quantity)
      }),
    },
    cartDoc("Set a line's quantity (0 removes it)", {
      params: lineParam,
      body: SetQuantity,
      responses: refusals,
    }),
  ),
  documented(
    {
      path: '/mine/items/:lineId',
      method: 'delete',
      handler: handler((req) => removeItem(req, lineOf(req))),
    },
    cartDoc('Remove a line', { params: lineParam, responses: { 404: refusals[404] } }),
  ),
  documented(
    {
      path: '/mine/coupon',
      method: 'post',
      handler: handler(async (req) => applyCoupon(req, (await parseBody(req, CouponCode)).code)),
    },
    cartDoc('Apply a coupon code', {
      body: CouponCode,
      responses: {
        409: { description: 'the code cannot be used (unknown, inactive, used up, below its minimum)' },
      },
    }),
  ),
  documented(
    { path: '/mine/coupon', method: 'delete', handler: handler(removeCoupon) },
    cartDoc('Remove the coupon'),
  ),
]
