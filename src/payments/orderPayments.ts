import type { PayloadRequest } from 'payload'

import type { Order } from '../../payload-types'
import { writeIfMatches } from '../db/guardedWrite'
import type { DocId } from '../db/ids'
import { StoreError } from '../errors'
import { logger } from '../logger'
import {
  CANCELLABLE_BY_OWNER,
  CONFIRMED_REFUND_FROM,
  isFullRefund,
  mustRefund,
  paymentSources,
  sessionToExpire,
} from '../orders/transitions'
import type { PaymentStatus } from '../orders/transitions'
import { inOrderChange, noteOrderAfter } from '../realtime/events'
import { stripe } from './stripe'

// What payments do to orders, whether Stripe told us by webhook or the sweep asked Stripe.
// Every payment change is one conditional statement on the order's row (from the payment status
// it was read with, src/orders/transitions.ts), so duplicates and late events change nothing and
// a concurrent status change is never overwritten by a payment note, nor the other way round.

type PaymentFields = NonNullable<Order['payment']>
type Changes = { amountRefunded?: number; payment?: PaymentFields }

async function reload(req: PayloadRequest, id: DocId): Promise<Order> {
  return req.payload.findByID({ collection: 'orders', id, depth: 0, req })
}

/** The fields a payment write touches, from the row the adapter returned. */
function merged(order: Order, row: Partial<Order> | null): Order {
  const fresh = row ?? {}
  return {
    ...order,
    status: fresh.status ?? order.status,
    paymentStatus: fresh.paymentStatus ?? order.paymentStatus,
    amountRefunded: fresh.amountRefunded ?? order.amountRefunded,
    payment: fresh.payment ?? order.payment,
  }
}

/**
 * Moves the payment status to `to` if the transitions allow it from the status the order has now,
 * together with `changes` (computed from the order as read), in one statement. Retried when a
 * concurrent change got in between the read and the write.
 */
async function movePayment(
  req: PayloadRequest,
  id: DocId,
  to: PaymentStatus,
  changes: (order: Order) => Changes = () => ({}),
  from: readonly PaymentStatus[] = paymentSources(to),
): Promise<{ order: Order; moved: boolean }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const order = await reload(req, id)
    if (!from.includes(order.paymentStatus)) return { order, moved: false }
    const row = await writeIfMatches(req.payload, {
      collection: 'orders',
      where: { and: [{ id: { equals: id } }, { paymentStatus: { equals: order.paymentStatus } }] },
      data: { paymentStatus: to, ...changes(order) },
      req,
    })
    if (row) {
      const after = merged(order, row)
      await noteOrderAfter(req, after, { before: order })
      return { order: after, moved: true }
    }
  }
  throw new StoreError('CONFLICT', 'The order kept changing; try again.')
}

/** Writes payment fields (and nothing else) in one statement. */
async function record(req: PayloadRequest, id: DocId, payment: Partial<PaymentFields>): Promise<Order> {
  const order = await reload(req, id)
  const row = await writeIfMatches(req.payload, {
    collection: 'orders',
    where: { id: { equals: id } },
    data: { payment: { ...order.payment, ...payment } },
    req,
  })
  return merged(order, row)
}

/** Cancels through the status hook: the move is claimed, recorded, the stock and coupon go back once. */
async function cancel(req: PayloadRequest, order: Order): Promise<void> {
  if (!CANCELLABLE_BY_OWNER.includes(order.status)) return
  await req.payload.update({
    collection: 'orders',
    id: order.id,
    data: { status: 'cancelled' },
    depth: 0,
    req,
  })
}

/**
 * Refunds the order's payment in full. One refund per order, however often this runs: the key
 * derives from the order (the cancellation and a late payment use the same one). Throws when
 * Stripe refuses.
 */
async function refundAtStripe(order: Order): Promise<string> {
  const client = stripe()
  const paymentIntent = order.payment?.stripePaymentIntentId
  if (!client || !paymentIntent) throw new Error(`order ${order.id}: no Stripe payment to refund`)
  const refund = await client.refunds.create(
    { payment_intent: paymentIntent, metadata: { orderId: String(order.id) } },
    { idempotencyKey: `order-${order.id}-refund` },
  )
  return refund.id
}

async function markRefunded(
  req: PayloadRequest,
  order: Order,
  refundId: string,
  note?: string,
): Promise<void> {
  await movePayment(
    req,
    order.id,
    'refunded',
    (current) => ({
      amountRefunded: current.total,
      payment: {
        ...current.payment,
        stripePaymentIntentId: order.payment?.stripePaymentIntentId ?? null,
        stripeRefundId: refundId,
        ...(note ? { note } : {}),
      },
    }),
    CONFIRMED_REFUND_FROM,
  )
}

/**
 * Money for an order that is already cancelled: refunded, never fulfilled. The order stays
 * cancelled and its stock stays returned. Errors propagate, so Stripe (or the sweep) tries again.
 */
async function refundLatePayment(req: PayloadRequest, order: Order): Promise<void> {
  logger.warn({ order: order.id }, 'payment for a cancelled order: refunding it')
  const refundId = await refundAtStripe(order)
  await markRefunded(req, order, refundId, 'Paid after the order was cancelled: refunded automatically.')
}

export type Payment = { amount: number | null; currency: string | null; paymentIntent: string | null }

/**
 * Stripe took the money: the order is paid and moves on to processing, if the amounts agree.
 * If the order was cancelled meanwhile, the payment is refunded instead.
 */
export async function applyPaid(
  req: PayloadRequest,
  orderId: DocId,
  payment: Payment,
): Promise<'paid' | 'refunded' | 'mismatch' | 'unchanged'> {
  const read = await reload(req, orderId)
  if (payment.amount !== read.total || payment.currency?.toLowerCase() !== read.currency) {
    const issue = `Stripe reported ${payment.amount} ${payment.currency}, the order totals ${read.total} ${read.currency}: not marked paid.`
    logger.error({ order: read.id, payment }, `payment amount mismatch: ${issue}`)
    await record(req, read.id, { issue })
    return 'mismatch'
  }
  const { order, moved } = await movePayment(req, orderId, 'paid', (current) => ({
    payment: {
      ...current.payment,
      stripePaymentIntentId: payment.paymentIntent ?? current.payment?.stripePaymentIntentId ?? null,
    },
  }))
  if (moved && order.status === 'pending') {
    try {
      await req.payload.update({
        collection: 'orders',
        id: order.id,
        data: { status: 'processing' },
        depth: 0,
        req,
      })
    } catch (error) {
      // Without transactions (SQLite) a cancellation can land between the payment and this move.
      if ((await reload(req, order.id)).status !== 'cancelled') throw error
    }
  }
  // Also on a redelivery: a late payment whose refund failed last time is refunded now.
  const now = await reload(req, order.id)
  if (mustRefund(now)) {
    await refundLatePayment(req, now)
    return 'refunded'
  }
  return moved ? 'paid' : 'unchanged'
}

/** The session expired or the payment failed: the order is cancelled and its stock returned. */
export async function applyFailed(req: PayloadRequest, orderId: DocId): Promise<'failed' | 'unchanged'> {
  const { order, moved } = await movePayment(req, orderId, 'failed')
  if (!moved) return 'unchanged'
  await cancel(req, order)
  return 'failed'
}

export type Refunded = { amount: number; amountRefunded: number }

/**
 * A refund (made here or in the Stripe dashboard). Stripe reports the charge's cumulative refunded
 * amount, which is recorded as it only grows (so duplicates and events out of order are
 * harmless). Only a full refund marks the order refunded and returns its stock, unless it shipped.
 */
export async function applyRefunded(
  req: PayloadRequest,
  orderId: DocId,
  charge: Refunded,
): Promise<'refunded' | 'partial' | 'unchanged'> {
  await writeIfMatches(req.payload, {
    collection: 'orders',
    where: {
      and: [
        { id: { equals: orderId } },
        {
          or: [
            { amountRefunded: { less_than: charge.amountRefunded } },
            { amountRefunded: { exists: false } },
          ],
        },
      ],
    },
    data: { amountRefunded: charge.amountRefunded },
    req,
  })
  if (!isFullRefund(charge.amountRefunded, charge.amount)) return 'partial'
  const { order, moved } = await movePayment(req, orderId, 'refunded')
  if (!moved) return 'unchanged'
  await cancel(req, order)
  return 'refunded'
}

/** A card order that never reached Stripe: failed and cancelled at once. */
export async function abandonCardOrder(req: PayloadRequest, orderId: DocId, issue: string): Promise<void> {
  await inOrderChange(req, async () => {
    await applyFailed(req, orderId)
    await record(req, orderId, { issue })
  })
}

/**
 * A card order was just cancelled (by its owner, an admin, or a failed payment). Paid: refunded
 * through Stripe. Not paid yet: its Checkout Session is expired, so the customer can no longer pay;
 * if Stripe refuses because the session completed meanwhile, the payment that arrives is refunded
 * by applyPaid.
 */
export async function settleCancelledCardOrder(req: PayloadRequest, cancelled: Order): Promise<void> {
  const client = stripe()
  if (cancelled.paymentMethod !== 'card' || !client) return
  // Read again: a payment may have landed since the cancellation read the order.
  const order = await reload(req, cancelled.id)
  const refundId = order.payment?.stripeRefundId
  if (refundId && order.paymentStatus !== 'refunded') {
    // A late payment was refunded while this cancellation was being written (without
    // transactions its write can carry the payment status it read): record what Stripe did.
    await markRefunded(req, order, refundId)
    return
  }
  if (mustRefund(order)) {
    try {
      await markRefunded(req, order, await refundAtStripe(order))
    } catch (error) {
      logger.error({ err: error, order: order.id }, 'refund failed')
      await record(req, order.id, {
        issue: 'The refund failed at Stripe: refund it from the Stripe dashboard.',
      })
    }
    return
  }
  const session = sessionToExpire(order)
  if (!session) return
  try {
    await client.checkout.sessions.expire(session)
  } catch (error) {
    logger.warn(
      { err: error, order: order.id, session },
      'cancelled order: its Checkout Session could not be expired; a payment that still arrives is refunded',
    )
  }
}
