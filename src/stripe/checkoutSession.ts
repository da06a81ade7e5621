import type Stripe from 'stripe'

import type { Order } from '../../payload-types'
import { env } from '../config/env'

/** The tax the order adds on top of its prices (TAX_MODE=exclusive): what its total holds beyond them. */
function taxAdded(order: Order): number {
  return order.total - (order.subtotal - order.discount + order.shipping)
}

function taxLabel(order: Order): string {
  const names = (order.taxLines ?? []).map((line) => line.name)
  return names.length > 0 ? `Tax (${names.join(', ')})` : 'Tax'
}

/**
 * A Checkout Session for an order, amount for amount: one line per order line at its snapshot
 * price, tax added on top of the prices as a line of its own, the order's discount as a one-off
 * Stripe coupon, shipping as a fixed shipping rate (named after the order's method), so
 * Stripe's amount_total is the order's total. Idempotency keys derive from the order: a retry
 * never creates a second coupon or session.
 */
export async function createCheckoutSession(
  stripe: Stripe,
  order: Order,
  email: string,
): Promise<Stripe.Checkout.Session> {
  const settings = env()
  const orderId = String(order.id)
  const discounts: Stripe.Checkout.SessionCreateParams.Discount[] = []
  if (order.discount > 0) {
    const coupon = await stripe.coupons.create(
      {
        amount_off: order.discount,
        currency: order.currency,
        duration: 'once',
        max_redemptions: 1,
        name: order.couponCode
          ? `${order.couponCode} (${order.orderNumber})`
          : `Discount ${order.orderNumber}`,
        metadata: { orderId },
      },
      { idempotencyKey: `order-${orderId}-coupon` },
    )
    discounts.push({ coupon: coupon.id })
  }
  return stripe.checkout.sessions.create(
    {
      mode: 'payment',
      client_reference_id: orderId,
      customer_email: email,
      metadata: { orderId, orderNumber: order.orderNumber },
      payment_intent_data: { metadata: { orderId, orderNumber: order.orderNumber } },
      line_items: [
        ...order.items.map((item) => ({
          quantity: item.quantity,
          price_data: {
            currency: order.currency,
            unit_amount: item.unitPrice,
            // A variant's line reads "T-shirt (M / Red)" on Stripe's page and receipt.
            product_data: {
              name: item.variantTitle ? `${item.title} (${item.variantTitle})` : item.title,
              metadata: { sku: item.sku },
            },
          },
        })),
        // Exclusive tax is added to the total: its own line. Inclusive tax is already in the prices.
        ...(taxAdded(order) > 0
          ? [
              {
                quantity: 1,
                price_data: {
                  currency: order.currency,
                  unit_amount: taxAdded(order),
                  product_data: { name: taxLabel(order) },
                },
              },
            ]
          : []),
      ],
      ...(discounts.length ? { discounts } : {}),
      ...(order.shipping > 0
        ? {
            shipping_options: [
              {
                shipping_rate_data: {
                  type: 'fixed_amount' as const,
                  display_name: order.shippingMethod?.name ?? 'Shipping',
                  fixed_amount: { amount: order.shipping, currency: order.currency },
                },
              },
            ],
          }
        : {}),
      success_url: `${settings.STOREFRONT_URL}/checkout/success?order=${encodeURIComponent(orderId)}&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${settings.STOREFRONT_URL}/checkout/cancel?order=${encodeURIComponent(orderId)}`,
      expires_at: Math.floor(Date.now() / 1000) + settings.STRIPE_SESSION_TTL_S,
    },
    { idempotencyKey: `order-${orderId}-session` },
  )
}
