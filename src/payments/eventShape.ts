import type Stripe from 'stripe'
import { z } from 'zod'

import { badRequest } from '../errors'

// A verified signature proves who sent an event, not that it has the shape the SDK's types
// promise. The fields the store reads are checked here, so a malformed event answers 400 rather
// than failing halfway through with a 500 (which Stripe would retry for three days).

const reference = z.union([z.string(), z.looseObject({ id: z.string() })]).nullish()

const session = z.looseObject({
  id: z.string(),
  metadata: z.record(z.string(), z.string()).nullish(),
  payment_status: z.string().nullish(),
  amount_total: z.number().int().nullish(),
  currency: z.string().nullish(),
  payment_intent: reference,
})

const charge = z.looseObject({
  payment_intent: reference,
  amount: z.number().int().nonnegative(),
  amount_refunded: z.number().int().nonnegative(),
})

const SESSION_EVENTS = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.expired',
  'checkout.session.async_payment_failed',
]

const envelope = z
  .object({ id: z.string().min(1).max(255), type: z.string(), data: z.looseObject({ object: z.unknown() }) })
  .passthrough()

/** The event if the fields the store uses have the types it expects, else a 400. */
export function checkedEvent(event: Stripe.Event): Stripe.Event {
  const outer = envelope.safeParse(event)
  if (!outer.success) throw badRequest('Malformed Stripe event.')
  const object = SESSION_EVENTS.includes(event.type)
    ? session
    : event.type === 'charge.refunded'
      ? charge
      : undefined
  if (object && !object.safeParse(outer.data.data.object).success)
    throw badRequest(`Malformed Stripe event (${event.type}).`)
  return event
}
