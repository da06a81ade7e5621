import type { PayloadRequest } from 'payload'

import type { Order } from '../../payload-types'
import { logger } from '../logger'
import { movePayment, recordPayment, reloadOrder } from '../orders/payment'
import { CONFIRMED_REFUND_FROM, mustRefund, sessionToExpire } from '../orders/transitions'
import { stripe } from './stripe'

// Money going back to the customer, and Checkout Sessions closed, when an order is cancelled or
// paid for after its cancellation.

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
export async function refundLatePayment(req: PayloadRequest, order: Order): Promise<void> {
  logger.warn({ order: order.id }, 'payment for a cancelled order: refunding it')
  const refundId = await refundAtStripe(order)
  await markRefunded(req, order, refundId, 'Paid after the order was cancelled: refunded automatically.')
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
  const order = await reloadOrder(req, cancelled.id)
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
      await recordPayment(req, order.id, {
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
