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
import { presentCart, priceCart } from '../src/cart/pricing'
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

async function answer(req: PayloadRequest, cart: Cart): Promise<Response> {
  return Response.json(presentCart(cart, await priceCart(cart, req)))
}

/**
 * The line id of the path in its canonical form: `<productId>` or `<productId>:<variantId>` (the
 * colon may come URL-encoded); anything else names no line.
 */
function lineParam(req: PayloadRequest): string {
  // Payload's router has decoded the parameter already (`%3A` is a colon here).
  const raw = req.routeParams?.lineId
  const ids = typeof raw === 'string' ? raw.split(':') : []
  if (ids.length < 1 || ids.length > 2 || !ids.every((id) => isDocumentId(req.payload, id))) {
    throw new StoreError('NOT_FOUND', 'This line is not in the cart.')
  }
  const [product, variant] = ids.map((id) => normaliseId(req.payload, id) as DocId)
  return lineId({ product: product as DocId, ...(variant !== undefined && { variant }) })
}

const handler =
  (run: (req: PayloadRequest) => Promise<Cart>): PayloadHandler =>
  async (req) => {
    requireUser(req)
    return answer(req, await run(req))
  }

export const cartEndpoints: Endpoint[] = [
  { path: '/mine', method: 'get', handler: handler(loadCart) },
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
