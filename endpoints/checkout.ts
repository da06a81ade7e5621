import type { Endpoint, PayloadRequest } from 'payload'
import { z } from 'zod'

import { buyerOf } from '../src/checkout/buyer'
import { checkout } from '../src/checkout/checkout'
import { orderTokenFor } from '../src/guests/orderTokens'
import { idempotent } from '../src/checkout/idempotency'
import { parseBody, requireUser } from '../src/http/input'

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

const Checkout = z.strictObject({
  paymentMethod: z.enum(['cod', 'card']),
  shippingAddress: ShippingAddress,
  email: z.string().trim().max(254).pipe(z.email()).optional(),
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

/** POST /api/checkout — see src/checkout/checkout.ts. */
export const checkoutEndpoint: Endpoint = {
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
      const result = await checkout(req, {
        ...input,
        shippingAddress: { line2: null, phone: null, ...input.shippingAddress },
      })
      return { status: 201, body: result, order: result.order.id }
    })
    const body = buyer.guest && outcome.status === 201 ? withOrderToken(req, outcome.body) : outcome.body
    return Response.json(body, { status: outcome.status })
  },
}
