import type { PayloadRequest } from 'payload'

import type { Order } from '../../payload-types'
import { logger } from '../logger'
import { stripe } from '../stripe/client'
import { expireSession, refundAtStripe } from '../stripe/refunds'
import { movePayment, recordPayment, reloadOrder } from './payment'
import { CONFIRMED_REFUND_FROM, mustRefund, sessionToExpire } from './transitions'

// What a card order's money does when the order is cancelled, or paid for after its cancellation:
// refunded and recorded, or its Checkout Session closed.

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
  if (cancelled.paymentMethod !== 'card' || !stripe()) return
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
    await expireSession(session)
  } catch (error) {
    logger.warn(
      { err: error, order: order.id, session },
      'cancelled order: its Checkout Session could not be expired; a payment that still arrives is refunded',
    )
  }
}
