import type { Endpoint } from 'payload'

import { env } from '../src/config/env'
import { StoreError } from '../src/errors'
import { logger } from '../src/logger'
import { applyStripeEvent } from '../src/payments/events'
import { checkedEvent } from '../src/payments/eventShape'
import { stripe } from '../src/stripe/client'

/** POST /api/stripe/webhook — verified over the raw body, applied once per event id. */
export const stripeWebhookEndpoint: Endpoint = {
  path: '/stripe/webhook',
  method: 'post',
  handler: async (req) => {
    const client = stripe()
    const secret = env().STRIPE_WEBHOOK_SECRET
    if (!client || !secret) {
      throw new StoreError(
        'PAYMENT_UNAVAILABLE',
        'Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).',
      )
    }
    const signature = req.headers.get('stripe-signature')
    if (!signature) throw new StoreError('BAD_REQUEST', 'Missing Stripe-Signature header.')
    const body = (await req.text?.()) ?? ''
    let event
    try {
      // Tolerance: Stripe's default 300 s; an older signature is a replay.
      event = client.webhooks.constructEvent(body, signature, secret)
    } catch {
      throw new StoreError('BAD_REQUEST', 'Invalid Stripe signature.')
    }
    const outcome = await applyStripeEvent(req, checkedEvent(event))
    logger.info({ event: event.id, type: event.type, outcome }, 'stripe event')
    return Response.json({ received: true, outcome })
  },
}
