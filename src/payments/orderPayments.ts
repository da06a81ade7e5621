import type { PayloadRequest } from 'payload'

import type { Order } from '../../payload-types'
import type { DocId } from '../db/ids'
import { logger } from '../logger'
import { CANCELLABLE_BY_OWNER, paymentSources } from '../orders/transitions'
import type { PaymentStatus } from '../orders/transitions'
import { markPaymentClaimed } from '../realtime/events'
import { stripe } from './stripe'

// What payments do to orders, whether Stripe told us by webhook or the sweep asked Stripe.
// Every payment status change is a conditional update from the statuses it may come from
// (src/orders/transitions.ts), so duplicates and late events change nothing.

async function claimPayment(req: PayloadRequest, id: DocId, to: PaymentStatus): Promise<boolean> {
  const claimed = await req.payload.db.updateOne({
    collection: 'orders',
    where: { and: [{ id: { equals: id } }, { paymentStatus: { in: [...paymentSources(to)] } }] },
    data: { paymentStatus: to },
    options: { atomic: true },
    req,
  })
  return claimed !== null
}

async function reload(req: PayloadRequest, id: DocId): Promise<Order> {
  return req.payload.findByID({ collection: 'orders', id, depth: 0, req })
}

async function note(
  req: PayloadRequest,
  order: Order,
  data: Partial<NonNullable<Order['payment']>>,
): Promise<void> {
  await req.payload.update({
    collection: 'orders',
    id: order.id,
    data: { payment: { ...order.payment, ...data } },
    depth: 0,
    req,
  })
}

async function cancel(req: PayloadRequest, order: Order): Promise<void> {
  if (!CANCELLABLE_BY_OWNER.includes(order.status)) return
  // Through the status hook: the move is claimed, recorded, and the stock and coupon go back once.
  await req.payload.update({
    collection: 'orders',
    id: order.id,
    data: { status: 'cancelled' },
    depth: 0,
    req,
  })
}

export type Payment = { amount: number | null; currency: string | null; paymentIntent: string | null }

/** Stripe took the money: the order is paid and moves on to processing — if the amounts agree. */
export async function applyPaid(
  req: PayloadRequest,
  orderId: DocId,
  payment: Payment,
): Promise<'paid' | 'mismatch' | 'unchanged'> {
  const order = await reload(req, orderId)
  if (payment.amount !== order.total || payment.currency?.toLowerCase() !== order.currency) {
    const issue = `Stripe reported ${payment.amount} ${payment.currency}, the order totals ${order.total} ${order.currency}: not marked paid.`
    logger.error({ order: order.id, payment }, `payment amount mismatch: ${issue}`)
    await note(req, order, { issue })
    return 'mismatch'
  }
  if (!(await claimPayment(req, order.id, 'paid'))) return 'unchanged'
  // The claim bypassed the hooks: the next update's previousDoc is already paid.
  markPaymentClaimed(req.context, order.id, order.paymentStatus)
  const paid = await reload(req, order.id)
  await note(req, paid, {
    stripePaymentIntentId: payment.paymentIntent ?? paid.payment?.stripePaymentIntentId ?? null,
    ...(paid.status === 'cancelled'
      ? { issue: 'Paid after the order was cancelled: refund it or fulfil it.' }
      : {}),
  })
  if (paid.status === 'pending') {
    await req.payload.update({
      collection: 'orders',
      id: paid.id,
      data: { status: 'processing' },
      depth: 0,
      req,
    })
  }
  return 'paid'
}

/** The session expired or the payment failed: the order is cancelled and its stock returned. */
export async function applyFailed(req: PayloadRequest, orderId: DocId): Promise<'failed' | 'unchanged'> {
  if (!(await claimPayment(req, orderId, 'failed'))) return 'unchanged'
  await cancel(req, await reload(req, orderId))
  return 'failed'
}

/** Refunded (here or in the Stripe dashboard): stock returns unless the order already shipped. */
export async function applyRefunded(req: PayloadRequest, orderId: DocId): Promise<'refunded' | 'unchanged'> {
  if (!(await claimPayment(req, orderId, 'refunded'))) return 'unchanged'
  await cancel(req, await reload(req, orderId))
  return 'refunded'
}

/** A card order that never reached Stripe: failed and cancelled at once. */
export async function abandonCardOrder(req: PayloadRequest, orderId: DocId, issue: string): Promise<void> {
  await applyFailed(req, orderId)
  await note(req, await reload(req, orderId), { issue })
}

/** Cancelling a paid card order refunds it through Stripe (once: the key derives from the order). */
export async function refundCancelledOrder(req: PayloadRequest, order: Order): Promise<void> {
  const client = stripe()
  const paymentIntent = order.payment?.stripePaymentIntentId
  if (order.paymentMethod !== 'card' || order.paymentStatus !== 'paid' || !client || !paymentIntent) return
  try {
    await client.refunds.create(
      { payment_intent: paymentIntent, metadata: { orderId: String(order.id) } },
      { idempotencyKey: `order-${order.id}-refund` },
    )
    await claimPayment(req, order.id, 'refunded')
  } catch (error) {
    logger.error({ err: error, order: order.id }, 'refund failed')
    await note(req, order, { issue: 'The refund failed at Stripe: refund it from the Stripe dashboard.' })
  }
}
