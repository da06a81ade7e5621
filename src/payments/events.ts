import { commitTransaction, killTransaction } from 'payload'
import type { PayloadRequest } from 'payload'
import type Stripe from 'stripe'

import { writeIfMatches } from '../db/guardedWrite'
import type { DocId } from '../db/ids'
import { beginTransaction } from '../db/transaction'
import { logger } from '../logger'
import { inOrderChange } from '../orders/change'
import { applyFailed, applyPaid, applyRefunded } from './orderPayments'

export type EventOutcome = 'applied' | 'duplicate' | 'ignored' | 'no-order'

type Effect = (req: PayloadRequest, orderId: DocId) => Promise<unknown>

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === 'string' ? value : (value?.id ?? null)

/**
 * The card order whose Checkout Session this is, by the session id stored at checkout. The
 * session's metadata is not trusted to name the order: a session of order A naming order B (or a
 * cash-on-delivery order) must never settle B.
 */
async function orderForSession(
  req: PayloadRequest,
  session: Stripe.Checkout.Session,
): Promise<DocId | undefined> {
  const found = await req.payload.find({
    collection: 'orders',
    where: {
      and: [{ 'payment.stripeSessionId': { equals: session.id } }, { paymentMethod: { equals: 'card' } }],
    },
    limit: 1,
    depth: 0,
    req,
  })
  const order = found.docs[0]
  const named = session.metadata?.orderId
  if (named !== undefined && String(order?.id) !== named) {
    logger.warn(
      { session: session.id, metadataOrderId: named, order: order?.id ?? null },
      'stripe session metadata names another order than the one the session belongs to',
    )
  }
  return order?.id
}

async function orderForPaymentIntent(
  req: PayloadRequest,
  paymentIntent: string | null,
): Promise<DocId | undefined> {
  if (!paymentIntent) return undefined
  const found = await req.payload.find({
    collection: 'orders',
    where: {
      and: [
        { 'payment.stripePaymentIntentId': { equals: paymentIntent } },
        { paymentMethod: { equals: 'card' } },
      ],
    },
    limit: 1,
    depth: 0,
    req,
  })
  return found.docs[0]?.id
}

function paidEffect(session: Stripe.Checkout.Session): Effect {
  return (req, orderId) =>
    applyPaid(req, orderId, {
      amount: session.amount_total,
      currency: session.currency,
      paymentIntent: idOf(session.payment_intent),
    })
}

/** Which order an event concerns and what it does to it; undefined for events the store ignores. */
async function interpret(
  req: PayloadRequest,
  event: Stripe.Event,
): Promise<{ orderId?: DocId; effect: Effect } | undefined> {
  switch (event.type) {
    case 'checkout.session.completed': {
      const session = event.data.object
      // Delayed methods complete unpaid and report later (async_payment_succeeded / _failed).
      if (session.payment_status !== 'paid') return undefined
      return { orderId: await orderForSession(req, session), effect: paidEffect(session) }
    }
    case 'checkout.session.async_payment_succeeded': {
      const session = event.data.object
      return { orderId: await orderForSession(req, session), effect: paidEffect(session) }
    }
    case 'checkout.session.expired':
    case 'checkout.session.async_payment_failed':
      return { orderId: await orderForSession(req, event.data.object), effect: applyFailed }
    case 'charge.refunded': {
      const charge = event.data.object
      return {
        orderId: await orderForPaymentIntent(req, idOf(charge.payment_intent)),
        effect: (effectReq, orderId) =>
          applyRefunded(effectReq, orderId, {
            amount: charge.amount,
            amountRefunded: charge.amount_refunded,
          }),
      }
    }
    default:
      return undefined
  }
}

/**
 * Applies a verified Stripe event exactly once. Its id is recorded under a unique key together with
 * its effect — in one transaction where the adapter has them; elsewhere the record goes first and is
 * removed again if the effect fails — so a duplicate delivery, concurrent or later, changes nothing.
 * Errors propagate (the webhook answers 500 and Stripe retries).
 */
export async function applyStripeEvent(req: PayloadRequest, event: Stripe.Event): Promise<EventOutcome> {
  const plan = await interpret(req, event)
  if (!plan) return 'ignored'
  const orderId = plan.orderId
  if (orderId === undefined) {
    // Answered 2xx: Stripe would retry an error for days, and no retry will make the order appear.
    logger.warn({ event: event.id, type: event.type }, 'stripe event for no order of this store: ignored')
    return 'no-order'
  }
  // One change: its order events go out once, after the commit, with the order as committed.
  return inOrderChange(req, () => applyOnce(req, event, orderId, plan.effect))
}

async function lockOrder(req: PayloadRequest, orderId: DocId): Promise<void> {
  await writeIfMatches(req.payload, {
    collection: 'orders',
    where: { id: { equals: orderId } },
    data: { updatedAt: new Date().toISOString() },
    req,
  })
}

async function applyOnce(
  req: PayloadRequest,
  event: Stripe.Event,
  orderId: DocId,
  effect: Effect,
): Promise<EventOutcome> {
  const { shouldCommit, inTransaction: transaction } = await beginTransaction(req)
  let recorded: DocId | undefined
  try {
    // The order's row is locked first: the event record below references it (a key-share lock on
    // PostgreSQL), and a cancellation holding the row while this waits for it would deadlock.
    if (transaction) await lockOrder(req, orderId)
    try {
      recorded = (
        await req.payload.create({
          collection: 'stripe-events',
          data: { eventId: event.id, type: event.type, order: orderId },
          depth: 0,
          req,
        })
      ).id
    } catch (error) {
      if (transaction) await killTransaction(req)
      const seen = await req.payload.count({
        collection: 'stripe-events',
        where: { eventId: { equals: event.id } },
      })
      if (seen.totalDocs > 0) return 'duplicate'
      throw error
    }
    await effect(req, orderId)
    if (shouldCommit) await commitTransaction(req)
    return 'applied'
  } catch (error) {
    if (transaction) await killTransaction(req)
    else if (recorded !== undefined)
      await req.payload.delete({ collection: 'stripe-events', id: recorded }).catch(() => undefined)
    throw error
  }
}
