import type { Endpoint, PayloadRequest } from 'payload'
import { z } from 'zod'

import { COUNTRY_MESSAGE, countryCode } from '../src/addresses/country'
import { savedAddressForOrder } from '../src/addresses/forCheckout'
import { buyerOf } from '../src/checkout/buyer'
import { checkout } from '../src/checkout/checkout'
import { orderTokenFor } from '../src/guests/orderTokens'
import { idempotent } from '../src/checkout/idempotency'
import { normaliseId } from '../src/db/ids'
import type { DocId } from '../src/db/ids'
import { documentId, parseBody, requireUser } from '../src/http/input'
import { collectionDocument, documented } from '../src/openapi/describe'

const text = (max: number) => z.string().trim().min(1).max(max)

const ShippingAddress = z.strictObject({
  name: text(120),
  line1: text(200),
  line2: z.string().trim().max(200).optional(),
  city: text(100),
  region: z.string().trim().max(100).optional(),
  postalCode: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/, 'must be a postal code'),
  country: z.string().transform((code, ctx) => {
    const valid = countryCode(code)
    if (!valid) ctx.addIssue({ code: 'custom', message: COUNTRY_MESSAGE })
    return valid ?? ''
  }),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{5,30}$/, 'must be a phone number')
    .optional(),
})

// The address is given in full, or as one of the customer's saved addresses: exactly one of them.
const Checkout = z
  .strictObject({
    paymentMethod: z.enum(['cod', 'card']),
    shippingAddress: ShippingAddress.optional(),
    addressId: documentId.optional(),
    shippingMethod: documentId.optional(),
    email: z.string().trim().max(254).pipe(z.email()).optional(),
  })
  .refine((body) => (body.shippingAddress === undefined) !== (body.addressId === undefined), {
    message: 'send either shippingAddress or addressId',
    path: ['shippingAddress'],
  })

type Answer = { order?: { orderNumber?: unknown } }

/**
 * A guest's answer carries the order's token (derived again from the order number, so a replayed
 * answer has it too while the stored one does not: src/guests/orderTokens.ts).
 */
function withOrderToken(req: PayloadRequest, body: unknown): unknown {
  const orderNumber = (body as Answer | null)?.order?.orderNumber
  if (typeof orderNumber !== 'string') return body
  return { ...(body as object), orderToken: orderTokenFor(req.payload.secret, orderNumber).token }
}

const CheckoutAnswer = z.object({
  order: collectionDocument('orders'),
  checkoutUrl: z.string().optional().describe('card: the Stripe Checkout page to send the customer to'),
  orderToken: z
    .string()
    .optional()
    .describe("a guest's key to this order: send it as `X-Order-Token` to read or cancel it"),
})

/** POST /api/checkout — see src/checkout/checkout.ts. */
export const checkoutEndpoint: Endpoint = documented(
  {
    path: '/checkout',
    method: 'post',
    handler: async (req) => {
      if (!req.headers.has('x-cart-token')) requireUser(req)
      const input = await parseBody(req, Checkout)
      const buyer = buyerOf(req, input.email)
      const owner = buyer.guest
        ? { key: `guest-${buyer.cartTokenHash}`, customer: null }
        : { key: String(buyer.customer), customer: buyer.customer }
      const key = req.headers.get('idempotency-key') ?? undefined
      const outcome = await idempotent(req, owner, key, input, async () => {
        const shippingAddress = input.shippingAddress
          ? { line2: null, region: null, phone: null, ...input.shippingAddress }
          : await savedAddressForOrder(req, normaliseId(req.payload, input.addressId ?? '') as DocId)
        const result = await checkout(req, {
          paymentMethod: input.paymentMethod,
          shippingAddress,
          ...(input.email !== undefined && { email: input.email }),
          shippingMethod:
            input.shippingMethod === undefined
              ? undefined
              : (normaliseId(req.payload, input.shippingMethod) as DocId),
        })
        return { status: 201, body: result, order: result.order.id }
      })
      const body = buyer.guest && outcome.status === 201 ? withOrderToken(req, outcome.body) : outcome.body
      return Response.json(body, { status: outcome.status })
    },
  },
  {
    summary: 'Place an order from the cart',
    description:
      'Takes the stock and the coupon use atomically, empties the cart. Prices come from the catalog. `card` answers the Stripe Checkout URL; the order is paid when Stripe says so.',
    tag: 'Checkout',
    audience: 'cart',
    body: Checkout,
    headers: {
      'Idempotency-Key': {
        description:
          'the same key from the same customer answers the first answer again and never places a second order',
      },
    },
    responses: {
      201: { description: 'the order placed', body: CheckoutAnswer },
      409: {
        description:
          'empty cart, out of stock, coupon no longer usable, or the key reused for another body; `data.code` says which',
      },
      502: { description: 'Stripe refused or failed; nothing was kept' },
      503: { description: 'card payments are not configured, or the database is unavailable' },
    },
  },
)
