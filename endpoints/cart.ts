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
import { CartAnswer, presentCart, priceCart } from '../src/cart/pricing'
import { isDocumentId, normaliseId } from '../src/db/ids'
import type { DocId } from '../src/db/ids'
import { StoreError } from '../src/errors'
import { documentId, parseBody, requireUser } from '../src/http/input'
import { documented } from '../src/openapi/describe'
import type { OperationDoc } from '../src/openapi/describe'

// /api/carts/mine…: thin handlers; the rules live in src/cart.

const quantity = z.number().int().min(1).max(MAX_QUANTITY)
const AddItem = z.strictObject({ product: documentId, quantity: quantity.default(1) })
const SetQuantity = z.strictObject({ quantity: z.number().int().min(0).max(MAX_QUANTITY) })
const CouponCode = z.strictObject({ code: z.string().trim().min(1).max(64) })

async function answer(req: PayloadRequest, cart: Cart): Promise<Response> {
  return Response.json(presentCart(cart, await priceCart(cart, req)))
}

function productParam(req: PayloadRequest): DocId {
  const id = req.routeParams?.productId
  if (typeof id !== 'string' || !isDocumentId(req.payload, id)) {
    throw new StoreError('NOT_FOUND', 'This product is not in the cart.')
  }
  return normaliseId(req.payload, id) as DocId
}

const handler =
  (run: (req: PayloadRequest) => Promise<Cart>): PayloadHandler =>
  async (req) => {
    requireUser(req)
    return answer(req, await run(req))
  }

const lineParam = { productId: 'the line: its product id' }
const cartDoc = (summary: string, more: Partial<OperationDoc> = {}): OperationDoc => ({
  summary,
  tag: 'Cart',
  audience: 'user',
  ...more,
  responses: {
    200: { description: 'the whole cart, priced from the catalog', body: CartAnswer },
    ...more.responses,
  },
})
const refusals = {
  404: { description: 'no such product (or not in the cart)' },
  409: { description: 'more than the stock, or the cart changed too often at once; `data.code` says which' },
}

export const cartEndpoints: Endpoint[] = [
  documented(
    { path: '/mine', method: 'get', handler: handler(loadCart) },
    cartDoc("The caller's cart (created empty when absent)"),
  ),
  documented({ path: '/mine', method: 'delete', handler: handler(emptyCart) }, cartDoc('Empty the cart')),
  documented(
    {
      path: '/mine/items',
      method: 'post',
      handler: handler(async (req) => {
        const body = await parseBody(req, AddItem)
        return addItem(req, normaliseId(req.payload, body.product) as DocId, body.quantity)
      }),
    },
    cartDoc('Add a product (the same product: quantities add up)', { body: AddItem, responses: refusals }),
  ),
  documented(
    {
      path: '/mine/items/:productId',
      method: 'patch',
      handler: handler(async (req) => {
        const body = await parseBody(req, SetQuantity)
        return setQuantity(req, productParam(req), body.quantity)
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
      path: '/mine/items/:productId',
      method: 'delete',
      handler: handler((req) => removeItem(req, productParam(req))),
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
