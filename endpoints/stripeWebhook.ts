import type { Endpoint } from 'payload'
import { z } from 'zod'

import { env } from '../src/config/env'
import { StoreError } from '../src/errors'
import { logger } from '../src/logger'
import { documented } from '../src/openapi/describe'
import { applyStripeEvent } from '../src/payments/events'
import { checkedEvent } from '../src/payments/eventShape'
import { stripe } from '../src/stripe/client'

/** POST /api/stripe/webhook — verified over the raw body, applied once per event id. */
export const stripeWebhookEndpoint: Endpoint = documented(
  {
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
  },
  {
    summary: 'Stripe webhook',
    description:
      'Verified with STRIPE_WEBHOOK_SECRET over the raw body. Each event applies once; unknown types answer 200 and are ignored.',
    tag: 'Payments',
    audience: 'signature',
    headers: { 'Stripe-Signature': { description: "Stripe's signature of the raw body", required: true } },
    rawBody: {
      mediaType: 'application/json',
      description: 'the Stripe event, byte for byte as Stripe sent it',
    },
    responses: {
      200: {
        description: 'applied, or already applied, or ignored',
        body: z.object({ received: z.literal(true), outcome: z.string() }),
      },
      400: { description: 'missing, bad or stale signature, or a malformed event; nothing changed' },
      503: { description: 'webhooks are not configured' },
    },
  },
)
