import type { Order } from '../../payload-types'
import { stripe } from './client'

// The Stripe calls a cancellation makes: money back, or a Checkout Session closed.

/**
 * Refunds the order's payment in full. One refund per order, however often this runs: the key
 * derives from the order (the cancellation and a late payment use the same one). Throws when
 * Stripe refuses.
 */
export async function refundAtStripe(order: Order): Promise<string> {
  const client = stripe()
  const paymentIntent = order.payment?.stripePaymentIntentId
  if (!client || !paymentIntent) throw new Error(`order ${order.id}: no Stripe payment to refund`)
  const refund = await client.refunds.create(
    { payment_intent: paymentIntent, metadata: { orderId: String(order.id) } },
    { idempotencyKey: `order-${order.id}-refund` },
  )
  return refund.id
}

/** Closes a Checkout Session, so that it can no longer be paid. Throws when Stripe refuses. */
export async function expireSession(session: string): Promise<void> {
  await stripe()?.checkout.sessions.expire(session)
}
