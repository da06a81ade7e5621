import type { Endpoint } from 'payload'
import { z } from 'zod'

import { checkout } from '../src/checkout/checkout'
import { idempotent } from '../src/checkout/idempotency'
import { parseBody, requireUser } from '../src/http/input'
import { collectionDocument, documented } from '../src/openapi/describe'

const text = (max: number) => z.string().trim().min(1).max(max)

const ShippingAddress = z.strictObject({
  name: text(120),
  line1: text(200),
  line2: z.string().trim().max(200).optional(),
  city: text(100),
  postalCode: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/, 'must be a postal code'),
  country: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code')
    .transform((code) => code.toUpperCase()),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{5,30}$/, 'must be a phone number')
    .optional(),
})

const Checkout = z.strictObject({ paymentMethod: z.enum(['cod', 'card']), shippingAddress: ShippingAddress })

const CheckoutAnswer = z.object({
  order: collectionDocument('orders'),
  checkoutUrl: z.string().optional().describe('card: the Stripe Checkout page to send the customer to'),
})

/** POST /api/checkout — see src/checkout/checkout.ts. */
export const checkoutEndpoint: Endpoint = documented(
  {
    path: '/checkout',
    method: 'post',
    handler: async (req) => {
      const user = requireUser(req)
      const input = await parseBody(req, Checkout)
      const key = req.headers.get('idempotency-key') ?? undefined
      const outcome = await idempotent(req, user.id, key, input, async () => {
        const result = await checkout(req, {
          ...input,
          shippingAddress: { line2: null, phone: null, ...input.shippingAddress },
        })
        return { status: 201, body: result, order: result.order.id }
      })
      return Response.json(outcome.body, { status: outcome.status })
    },
  },
  {
    summary: 'Place an order from the cart',
    description:
      'Takes the stock and the coupon use atomically, empties the cart. Prices come from the catalog. `card` answers the Stripe Checkout URL; the order is paid when Stripe says so.',
    tag: 'Checkout',
    audience: 'user',
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
