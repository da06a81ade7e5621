import { createLocalReq } from 'payload'
import type { Payload, PayloadRequest } from 'payload'
import type Stripe from 'stripe'

import { env } from '../config/env'
import { takeNamedLease } from '../db/lease'
import { logger } from '../logger'
import { applyStripeEvent } from './events'
import { stripe } from '../stripe/client'

const LEASE = 'stripe-sweep'

/** The event Stripe would have sent for a session in this state (ids stable, so replays dedupe). */
function syntheticEvent(session: Stripe.Checkout.Session): Stripe.Event | undefined {
  const base = {
    object: 'event',
    api_version: null,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 0,
    request: null,
  }
  const outcome =
    session.status === 'complete' && session.payment_status === 'paid'
      ? { suffix: 'paid', type: 'checkout.session.completed' }
      : session.status === 'expired'
        ? { suffix: 'expired', type: 'checkout.session.expired' }
        : undefined
  if (outcome) {
    return {
      ...base,
      id: `sweep_${session.id}_${outcome.suffix}`,
      type: outcome.type,
      data: { object: session },
    } as unknown as Stripe.Event
  }
  return undefined
}

export type SweepResult = { checked: number; settled: number; skipped?: 'lease' | 'stripe-off' }

/**
 * Lost webhooks: card orders still unpaid STRIPE_SWEEP_AFTER_S after checkout are looked up at
 * Stripe and settled exactly as their webhook would have (through the same event path and its
 * dedupe). A session still open past its expiry is expired first, so its stock comes back.
 */
export async function sweepUnpaidCardOrders(payload: Payload, now = Date.now()): Promise<SweepResult> {
  const client = stripe()
  if (!client) return { checked: 0, settled: 0, skipped: 'stripe-off' }
  const settings = env()
  // One sweep per interval across instances: whoever takes the lease.
  if (!(await takeNamedLease(payload, LEASE, now, Math.max(1, settings.STRIPE_SWEEP_INTERVAL_S - 1)))) {
    return { checked: 0, settled: 0, skipped: 'lease' }
  }
  const cutoff = new Date(now - settings.STRIPE_SWEEP_AFTER_S * 1000).toISOString()
  const due = await payload.find({
    collection: 'orders',
    where: {
      and: [
        { paymentMethod: { equals: 'card' } },
        { paymentStatus: { equals: 'unpaid' } },
        { createdAt: { less_than_equal: cutoff } },
        { 'payment.stripeSessionId': { exists: true } },
      ],
    },
    limit: 100,
    depth: 0,
    sort: 'createdAt',
  })
  let settled = 0
  for (const order of due.docs) {
    const sessionId = order.payment?.stripeSessionId
    if (!sessionId) continue
    try {
      let session = await client.checkout.sessions.retrieve(sessionId)
      if (session.status === 'open' && session.expires_at * 1000 <= now) {
        session = await client.checkout.sessions.expire(sessionId)
      }
      const event = syntheticEvent(session)
      if (!event) continue
      const req: PayloadRequest = await createLocalReq({}, payload)
      if ((await applyStripeEvent(req, event)) === 'applied') settled++
    } catch (error) {
      logger.warn({ err: error, order: order.id }, 'stripe sweep: order not settled this time')
    }
  }
  return { checked: due.docs.length, settled }
}

/** Runs the sweep every STRIPE_SWEEP_INTERVAL_S on this instance; the lease keeps it single. */
export function startStripeSweep(payload: Payload): () => void {
  if (!stripe()) return () => undefined
  const timer = setInterval(() => {
    sweepUnpaidCardOrders(payload).catch((error: unknown) =>
      logger.warn({ err: error }, 'stripe sweep failed'),
    )
  }, env().STRIPE_SWEEP_INTERVAL_S * 1000)
  timer.unref()
  return () => clearInterval(timer)
}
