import type { PayloadRequest } from 'payload'

import type { Order } from '../../payload-types'
import type { DocId } from '../db/ids'
import { logger } from '../logger'
import { inOrderChange } from '../orders/change'
import { transition } from '../orders/lifecycle'
import { movePayment, recordAmountRefunded, recordPayment, reloadOrder } from '../orders/payment'
import { refundLatePayment } from '../orders/settlement'
import { isFullRefund, mayMove, mustRefund } from '../orders/transitions'

// What payments do to orders, whether Stripe told us by webhook or the sweep asked Stripe: facts
// from Stripe turned into payment moves (src/orders/payment.ts) and status moves
// (src/orders/lifecycle.ts), made by the payment provider as actor.

/** Cancels on the payment provider's behalf, when the order can still be cancelled. */
async function cancel(req: PayloadRequest, order: Order): Promise<void> {
  if (!mayMove(order.status, 'cancelled', 'payment')) return
  await transition(req, order, 'cancelled', { actor: 'payment' })
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
  const read = await reloadOrder(req, orderId)
  if (payment.amount !== read.total || payment.currency?.toLowerCase() !== read.currency) {
    const issue = `Stripe reported ${payment.amount} ${payment.currency}, the order totals ${read.total} ${read.currency}: not marked paid.`
    logger.error({ order: read.id, payment }, `payment amount mismatch: ${issue}`)
    await recordPayment(req, read.id, { issue })
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
      await transition(req, order, 'processing', { actor: 'payment' })
    } catch (error) {
      // Without transactions (SQLite) a cancellation can land between the payment and this move.
      if ((await reloadOrder(req, order.id)).status !== 'cancelled') throw error
    }
  }
  // Also on a redelivery: a late payment whose refund failed last time is refunded now.
  const now = await reloadOrder(req, order.id)
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
  await recordAmountRefunded(req, orderId, charge.amountRefunded)
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
    await recordPayment(req, orderId, { issue })
  })
}
